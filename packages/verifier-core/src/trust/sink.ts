import type { CheckOutcome } from '../report/model.js';

/**
 * Where verifiers put their outcomes. One engine, two modes (spec §4.3): the
 * assessor sink keeps everything; the agent sink stops at the first outcome that
 * is not a pass by throwing StopAtFirstFailure, so both modes run the same checks
 * in the same order.
 */
export class StopAtFirstFailure extends Error {
  constructor(readonly outcome: CheckOutcome) {
    super(`${outcome.id}: ${outcome.reason ?? outcome.status}`);
    this.name = 'StopAtFirstFailure';
  }
}

export class OutcomeSink {
  readonly outcomes: CheckOutcome[] = [];
  constructor(readonly stopAtFirstFailure = false) {}

  push(o: CheckOutcome): CheckOutcome {
    this.outcomes.push(o);
    if (this.stopAtFirstFailure && o.status !== 'pass') throw new StopAtFirstFailure(o);
    return o;
  }

  pushAll(os: readonly CheckOutcome[]): void {
    for (const o of os) this.push(o);
  }
}
