// Barrel for sigstore/ — exports are added by the module's owner.
export {};
