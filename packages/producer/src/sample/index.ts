// Barrel for producer sample/ — exports are added by the module's owner.
export {};
