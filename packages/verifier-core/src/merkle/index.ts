// Barrel for merkle/ — exports are added by the module's owner.
export {};
