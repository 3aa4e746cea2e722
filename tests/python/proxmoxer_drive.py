"""Drive a PVE API with the independent Python client proxmoxer (PyPI).

Ticket login and API token, list nodes, clone the VM template, wait for the task, read the clone's
status, delete it and wait again; a pool changed and deleted the PVE 8 way (`/pools?poolid=`). The server's certificate is pinned by its SHA-256 fingerprint and
then used as the CA bundle, so TLS is verified.

    python proxmoxer_drive.py HOST PORT FINGERPRINT PASSWORD TOKEN_LINE
"""

import hashlib
import ssl
import sys
import tempfile

from proxmoxer import ProxmoxAPI
from proxmoxer.tools import Tasks

PASSED = []
FAILED = []


def check(name, cond, detail=''):
    (PASSED if cond else FAILED).append(name)
    print('{0} {1} {2}'.format('ok  ' if cond else 'FAIL', name, detail), flush=True)


def pinned_ca(host, port, fingerprint):
    pem = ssl.get_server_certificate((host, port))
    der = ssl.PEM_cert_to_DER_cert(pem)
    seen = ':'.join('{0:02X}'.format(b) for b in hashlib.sha256(der).digest())
    if seen != fingerprint.upper():
        sys.exit('certificate fingerprint {0} is not the expected {1}'.format(seen, fingerprint))
    f = tempfile.NamedTemporaryFile('w', suffix='.pem', delete=False)
    f.write(pem)
    f.close()
    return f.name


def main():
    host, port, fingerprint, password, token_line = sys.argv[1:6]
    port = int(port)
    ca = pinned_ca(host, port, fingerprint)
    token_id, secret = token_line.strip().split('=', 1)
    user, token_name = token_id.split('!')

    ticket = ProxmoxAPI(host, port=port, user='root@pam', password=password, verify_ssl=ca)
    nodes = sorted(n['node'] for n in ticket.nodes.get())
    check('ticket login lists nodes', nodes == ['pve1', 'pve2', 'pve3'], nodes)

    prox = ProxmoxAPI(host, port=port, user=user, token_name=token_name, token_value=secret, verify_ssl=ca)
    version = prox.version.get()
    check('token login reads the version', version['version'].startswith(version['release']), version)

    newid = int(prox.cluster.nextid.get())
    upid = prox.nodes('pve1').qemu(9000).clone.post(newid=newid, name='proxmoxer-vm', full=1)
    check('clone answers a UPID', upid.startswith('UPID:pve1:') and ':qmclone:9000:' in upid, upid)
    status = Tasks.blocking_status(prox, upid, timeout=60, polling_interval=0.1)
    check('clone task ends OK', status['status'] == 'stopped' and status['exitstatus'] == 'OK', status)

    current = prox.nodes('pve1').qemu(newid).status.current.get()
    check('clone is stopped', current['status'] == 'stopped' and current['name'] == 'proxmoxer-vm', current)
    config = prox.nodes('pve1').qemu(newid).config.get()
    check('clone has its own disk', 'vm-{0}-disk-0'.format(newid) in config['scsi0'], config.get('scsi0'))

    upid = ticket.nodes('pve1').qemu(newid).delete(purge=1)
    status = Tasks.blocking_status(ticket, upid, timeout=60, polling_interval=0.1)
    check('delete task ends OK (ticket with CSRF token)', status['exitstatus'] == 'OK', status)
    remaining = [r for r in prox.cluster.resources.get(type='vm') if r.get('vmid') == newid]
    check('clone is gone', remaining == [], remaining)

    # Pools the PVE 8 way: the pool id as a parameter of /pools, not in the path.
    prox.pools.post(poolid='proxmoxer-pool', comment='made by proxmoxer')
    prox.pools.put(poolid='proxmoxer-pool', comment='changed the PVE 8 way')
    pool = prox.pools('proxmoxer-pool').get()
    check('a pool changed through /pools?poolid=', pool.get('comment') == 'changed the PVE 8 way', pool)
    prox.pools.delete(poolid='proxmoxer-pool')
    remaining = [p for p in prox.pools.get() if p['poolid'] == 'proxmoxer-pool']
    check('a pool deleted through /pools?poolid=', remaining == [], remaining)

    print('proxmoxer: {0} passed, {1} failed'.format(len(PASSED), len(FAILED)), flush=True)
    sys.exit(1 if FAILED else 0)


if __name__ == '__main__':
    main()
