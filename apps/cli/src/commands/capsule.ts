// Commands for capsule: registered with register(...) from './index.js'.
export {};
