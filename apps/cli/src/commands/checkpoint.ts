// Commands for checkpoint: registered with register(...) from './index.js'.
export {};
