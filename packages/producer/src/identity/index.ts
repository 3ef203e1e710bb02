// Barrel for producer identity/ — exports are added by the module's owner.
export {};
