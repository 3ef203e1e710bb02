// Barrel for keys/ — exports are added by the module's owner.
export {};
