// Commands for sth: registered with register(...) from './index.js'.
export {};
