// Barrel for producer capsule/ — exports are added by the module's owner.
export {};
