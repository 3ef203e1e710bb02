// Barrel for json/ — exports are added by the module's owner.
export {};
