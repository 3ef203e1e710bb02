import { verdictOf } from '../report/model.js';
import { OutcomeSink, StopAtFirstFailure } from '../trust/sink.js';
import { runCallChain } from './engine.js';
import type { AgentDecision, CallChainInput, CallChainReport } from './types.js';

/** Assessor mode: runs every check on every event and reports all outcomes. */
export async function verifyCallChain(input: CallChainInput): Promise<CallChainReport> {
  const sink = new OutcomeSink(false);
  const { events, attestations } = await runCallChain(input, sink);
  return { verdict: verdictOf(sink.outcomes), checks: sink.outcomes, events, attestations };
}

/**
 * Agent mode: the same checks in the same order, stopping at the first outcome that
 * is not a pass. A check that could not be performed also quarantines: if the
 * receiver can continue after an unchecked proof, the system is not secure.
 */
export async function verifyBeforeAct(input: CallChainInput): Promise<AgentDecision> {
  const sink = new OutcomeSink(true);
  try {
    await runCallChain(input, sink);
  } catch (e) {
    if (e instanceof StopAtFirstFailure)
      return { decision: 'quarantine', reason: e.outcome, checks: sink.outcomes };
    throw e;
  }
  if (sink.outcomes.length === 0) {
    const reason = {
      id: 'chain.root_approval_role',
      status: 'not_checked' as const,
      subject: { kind: 'chain' as const, id: 'call chain' },
      title: 'every chain starts at a human approval by a required role',
      reason: 'nothing to verify',
    };
    return { decision: 'quarantine', reason, checks: [reason] };
  }
  return { decision: 'accept', checks: sink.outcomes };
}
