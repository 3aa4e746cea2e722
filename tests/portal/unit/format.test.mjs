// Unit tests of the portal's pure helpers (node --test tests/portal/unit).
import test from 'node:test';
import assert from 'node:assert/strict';

import { fieldName, mib, num, placementText, problemText, stateKind, when } from '../../../portal/js/format.js';

test('memory reads in MiB, then GiB', () => {
  assert.equal(mib(512), '512 MiB');
  assert.equal(mib(1024), '1 GiB');
  assert.equal(mib(1536), '1.5 GiB');
  assert.equal(mib(16384), '16 GiB');
});

test('an absent time is a dash', () => {
  assert.equal(when(null), '—');
  assert.equal(when(undefined), '—');
  assert.notEqual(when('2026-12-01T08:52:21Z'), '—');
});

test('problems name their fields in words', () => {
  const p = { errors: [{ field: 'cloud_init.ip_config', message: 'must be ip=dhcp' }, { field: 'name', message: 'taken' }] };
  assert.equal(problemText(p, 400), 'cloud init › ip config: must be ip=dhcp; name: taken');
  assert.equal(problemText({ detail: 'quota exceeded' }, 422), 'quota exceeded');
  assert.equal(problemText(null, 502), 'The server answered 502.');
  assert.match(problemText({ detail: 'needs tenant-admin' }, 403), /^You are not allowed to do this\. needs tenant-admin$/);
  assert.equal(problemText({ title: 'Conflict' }, 409), 'Conflict');
});

test('field paths read as words', () => {
  assert.equal(fieldName('body.memory_mib'), 'memory mib');
  assert.equal(fieldName('quota.vcpus'), 'quota › vcpus');
  assert.equal(fieldName(''), 'input');
});

test('empty number fields are absent, others numbers', () => {
  assert.equal(num(''), undefined);
  assert.equal(num(undefined), undefined);
  assert.equal(num('8'), 8);
});

test('a placement answer reads as a sentence', () => {
  const pl = { site_id: 's', site: 'fra', country: 'DE', cluster_id: 'c', cluster: 'fra-1', host: 'pve2', reason: '3 of 3 hosts passed every filter' };
  assert.equal(placementText(pl), 'site fra (DE), cluster fra-1, host pve2: 3 of 3 hosts passed every filter');
});

test('states have colours, unknown ones muted', () => {
  assert.equal(stateKind('running'), 'ok');
  assert.equal(stateKind('unreachable'), 'bad');
  assert.equal(stateKind('degraded'), 'warn');
  assert.equal(stateKind('something-new'), 'muted');
});
