// Side-effect imports: each module registers its commands. One line per module.
import './checkpoint.js';
import './sth.js';
import './tlog.js';
import './capsule.js';
import './demo.js';
import './approval.js';
import './inspect.js';
