// Barrel for attestation/ — exports are added by the module's owner.
export {};
