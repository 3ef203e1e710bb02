// Barrel for events/ — exports are added by the module's owner.
export {};
