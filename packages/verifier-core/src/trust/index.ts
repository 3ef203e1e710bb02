// Barrel for trust/ — exports are added by the module's owner.
export {};
