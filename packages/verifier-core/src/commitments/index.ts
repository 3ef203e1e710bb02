// Barrel for commitments/ — exports are added by the module's owner.
export {};
