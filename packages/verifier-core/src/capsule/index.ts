// Barrel for capsule/ — exports are added by the module's owner.
export {};
