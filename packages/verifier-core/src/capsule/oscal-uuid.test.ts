import { describe, expect, it } from 'vitest';
import { uuidV5 } from './oscal.js';

describe('OSCAL uuids are RFC 9562 version-5 UUIDs', () => {
  it('matches the RFC 9562 appendix A.4 example and Python uuid.uuid5', () => {
    // Namespace DNS, name www.example.com: RFC 9562 §A.4.
    expect(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
    // python3 -c "import uuid; n=uuid.uuid5(uuid.NAMESPACE_URL,'https://lineage.dev/ns/oscal'); print(n, uuid.uuid5(n,'a\x00b'))"
    const ns = uuidV5('6ba7b811-9dad-11d1-80b4-00c04fd430c8', 'https://lineage.dev/ns/oscal');
    expect(ns).toBe('30c02abb-d7bb-5c41-8fda-d0de071ee021');
    expect(uuidV5(ns, 'a\u0000b')).toBe('01f5ffc5-f5aa-5de4-a551-8d8bcb1fb6d6');
  });
});
