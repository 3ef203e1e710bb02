// Barrel for receipts/ — exports are added by the module's owner.
export {};
