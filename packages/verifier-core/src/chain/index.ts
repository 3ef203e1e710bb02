// Barrel for chain/ — exports are added by the module's owner.
export {};
