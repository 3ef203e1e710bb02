// Barrel for identity/ — exports are added by the module's owner.
export {};
