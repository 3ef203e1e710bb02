// Barrel for producer log/ — exports are added by the module's owner.
export {};
