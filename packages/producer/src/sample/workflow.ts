import type { ApproverRole } from '@lineage/verifier-core';

/**
 * The FedRAMP Moderate ATO workflow of the sample (docs/spec/05-capsules.md §5.7): who acts at
 * each step, what they do, which NIST SP 800-53 controls the step's evidence satisfies.
 */
export interface SampleAgent {
  key: 'A1' | 'A2' | 'A3' | 'A4' | 'A5';
  name: string;
  slug: string;
  skill: { id: string; name: string; description: string; tags: string[] };
}

export interface SampleHuman {
  key: string;
  id: string;
  name: string;
  role: ApproverRole;
}

export const SAMPLE_AGENTS: readonly SampleAgent[] = [
  {
    key: 'A1',
    name: 'Readiness Coordinator',
    slug: 'a1-readiness-coordinator',
    skill: {
      id: 'readiness',
      name: 'Readiness assessment',
      description: 'Starts and tracks FedRAMP readiness work',
      tags: ['fedramp', 'readiness'],
    },
  },
  {
    key: 'A2',
    name: 'Evidence Harvester',
    slug: 'a2-evidence-harvester',
    skill: {
      id: 'harvest',
      name: 'Evidence harvesting',
      description: 'Collects inventories, IAM policies and configuration baselines',
      tags: ['evidence', 'cm-8'],
    },
  },
  {
    key: 'A3',
    name: 'Scanner Orchestrator',
    slug: 'a3-scanner-orchestrator',
    skill: {
      id: 'scan',
      name: 'Vulnerability scanning',
      description: 'Runs authenticated scans and reports findings',
      tags: ['ra-5', 'si-2'],
    },
  },
  {
    key: 'A4',
    name: 'SSP Packager',
    slug: 'a4-ssp-packager',
    skill: {
      id: 'ssp',
      name: 'SSP packaging',
      description: 'Writes SSP sections citing evidence events',
      tags: ['pl-2', 'ssp'],
    },
  },
  {
    key: 'A5',
    name: '3PAO Liaison',
    slug: 'a5-3pao-liaison',
    skill: {
      id: 'liaison',
      name: '3PAO liaison',
      description: 'Packages the evidence capsule for the 3PAO',
      tags: ['capsule', '3pao'],
    },
  },
];

export const SAMPLE_HUMANS: readonly SampleHuman[] = [
  {
    key: 'ao',
    id: 'lin:human:ao.jane-doe',
    name: 'Jane Doe (CSP Authorizing Official)',
    role: 'authorizing_official',
  },
  {
    key: 'co',
    id: 'lin:human:co.raj-patel',
    name: 'Raj Patel (Compliance Officer)',
    role: 'compliance_officer',
  },
  { key: 'so', id: 'lin:human:so.mei-chen', name: 'Mei Chen (Security Officer)', role: 'security_officer' },
  { key: 'cl', id: 'lin:human:cl.ana-souza', name: 'Ana Souza (Compliance Lead)', role: 'compliance_lead' },
  {
    key: '3pao',
    id: 'lin:human:3pao.sam-okafor',
    name: 'Sam Okafor (3PAO Lead Assessor)',
    role: '3pao_assessor',
  },
  {
    key: 'agency',
    id: 'lin:human:agency-ao.lee-park',
    name: 'Lee Park (Agency Authorizing Official)',
    role: 'agency_ao',
  },
];

/** Workflow steps in order: id shown to assessors, title, and the controls its events record. */
export const SAMPLE_STEPS = [
  { id: '0', title: 'AO boundary approval (baseline Moderate)', controls: ['PL-2', 'CA-6'] },
  { id: 'A1', title: 'Readiness Coordinator: readiness_start', controls: ['CA-2', 'PL-2'] },
  {
    id: 'A2',
    title: 'Evidence Harvester: inventory, IAM policies, configuration baselines',
    controls: ['CM-8', 'AU-2', 'AU-10', 'AU-6'],
  },
  { id: '2a', title: 'Compliance officer approval', controls: ['CA-2'] },
  { id: 'A3', title: 'Scanner Orchestrator: scan results', controls: ['RA-5', 'SI-2'] },
  { id: '3a', title: 'Security officer risk acceptance', controls: ['RA-5', 'SI-2'] },
  { id: 'A4', title: 'SSP Packager: SSP sections citing evidence', controls: ['PL-2', 'AU-10'] },
  { id: '4a', title: 'Compliance lead approval', controls: ['PL-2', 'CA-2'] },
  { id: 'A5', title: '3PAO Liaison packages the capsule', controls: ['AU-10', 'CA-2'] },
  { id: '5a', title: '3PAO SAR (signed)', controls: ['CA-2', 'AU-6'] },
  { id: '6', title: 'Agency AO ATO decision', controls: ['CA-6'] },
] as const;

export type SampleStepId = (typeof SAMPLE_STEPS)[number]['id'];
