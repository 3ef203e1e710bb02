/** What the card claims, framed as site data ("the site says"), never as our conclusion. */
import { DataText } from '../data-text.js';

export interface AgentCardSummaryView {
  shape: string;
  name: string;
  provider: string | null;
  skills: readonly string[];
  interfaces: readonly string[];
  agentId: string | null;
}

export function AgentCardSummary({ card, url }: { card: AgentCardSummaryView; url: string | null }) {
  return (
    <section className="lin-ext-card" aria-label="Agent card, as served by the site">
      <h2 className="lin-ext-h2">
        Agent card <span className="lin-ext-claimed">claimed by the site</span>
      </h2>
      <dl className="lin-kv">
        <dt>Name</dt>
        <dd data-testid="card-name">
          <DataText value={card.name} max={60} />
        </dd>
        <dt>Provider</dt>
        <dd>
          <DataText value={card.provider} max={60} />
        </dd>
        <dt>Agent id</dt>
        <dd>
          <DataText value={card.agentId} max={40} />
        </dd>
        <dt>Skills</dt>
        <dd>
          {card.skills.length === 0 ? (
            <DataText value={null} />
          ) : (
            <ul className="lin-ext-list">
              {card.skills.map((s, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: order is the identity; names may repeat
                <li key={i}>
                  <DataText value={s} max={48} />
                </li>
              ))}
            </ul>
          )}
        </dd>
        <dt>Interfaces</dt>
        <dd>
          {card.interfaces.length === 0 ? (
            <DataText value={null} />
          ) : (
            <ul className="lin-ext-list">
              {card.interfaces.map((s, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: order is the identity
                <li key={i}>
                  <DataText value={s} max={56} />
                </li>
              ))}
            </ul>
          )}
        </dd>
        <dt>Shape</dt>
        <dd className="lin-mono">{card.shape}</dd>
        <dt>Served at</dt>
        <dd>
          <DataText value={url} max={60} />
        </dd>
      </dl>
    </section>
  );
}
