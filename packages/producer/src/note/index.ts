// Barrel for producer note/ — exports are added by the module's owner.
export {};
