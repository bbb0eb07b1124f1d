/**
 * The examples each command's help ends with, by the command's path after `knot`. Every
 * command has two or three (test/cli/help.test.ts checks): a new command adds its own here.
 */
export const commandExamples: Readonly<Record<string, ReadonlyArray<string>>> = {
  "": [
    "knot server                                  # a standalone node in ./knot-data",
    "knot space create dev --template shell",
    "knot space list --watch"
  ],
  "server": [
    "knot server",
    "knot server --config node1.toml --init       # the first node of a new cluster",
    "knot server --data-dir ./other --listen 127.0.0.1:3001"
  ],
  "space": [
    "knot space create dev --template shell",
    "knot space list",
    "knot space stop bob/dev                      # an admin, another user's space"
  ],
  "space create": [
    "knot space create dev --template shell",
    "knot space create dev -t shell --reuse-volume home=VOLUME_ID",
    "knot space create ci -t shell --no-wait --json"
  ],
  "space list": ["knot space list", "knot space list --watch", "knot space list --json"],
  "space get": ["knot space get dev", "knot space get bob/dev --json"],
  "space start": ["knot space start dev", "knot space start dev --no-wait"],
  "space stop": ["knot space stop dev", "knot space stop bob/dev"],
  "space delete": ["knot space delete dev", "knot space delete bob/dev --json"],
  "space shell": ["knot space shell dev", "knot space shell bob/dev"],
  "space exec": [
    "knot space exec dev -- uname -a",
    "knot space exec dev -- sh -c 'make test'",
    "tar c src | knot space exec dev -- tar x -C /tmp"
  ],
  "space logs": ["knot space logs dev", "knot space logs dev --follow --tail 100"],
  "space forward": ["knot space forward dev 8080", "knot space forward dev 9000:8080 5432"],
  "space ssh": ["knot space ssh dev", "knot space ssh dev -- uname -a", "knot space ssh dev --ssh-port 2222"],
  "volume": ["knot volume list", "knot volume delete VOLUME_ID"],
  "volume list": ["knot volume list", "knot volume list --json"],
  "volume delete": ["knot volume delete VOLUME_ID", "knot volume delete VOLUME_ID --json"],
  "template": ["knot template create --file shell.toml", "knot template list", "knot template get shell"],
  "template create": ["knot template create --file shell.toml", "knot template create -f shell.json --json"],
  "template list": ["knot template list", "knot template list --json"],
  "template get": ["knot template get shell", "knot template get shell --json"],
  "template delete": ["knot template delete shell", "knot template delete shell --json"],
  "cluster": [
    "knot cluster keygen",
    "knot cluster dht --host 127.0.0.1 --port 49737",
    "knot cluster status --server http://127.0.0.1:3001"
  ],
  "cluster status": ["knot cluster status", "knot cluster status --server http://127.0.0.1:3001 --json"],
  "cluster keygen": ["knot cluster keygen", "knot cluster keygen > cluster.key"],
  "cluster dht": ["knot cluster dht --host 127.0.0.1 --port 49737", "knot cluster dht --host 203.0.113.7"],
  "token": ["knot token create --user bob", "knot token list --all", "knot token revoke TOKEN_ID"],
  "token create": ["knot token create", "knot token create --user bob --name laptop"],
  "token list": ["knot token list", "knot token list --all --json"],
  "token revoke": ["knot token revoke TOKEN_ID", "knot token revoke TOKEN_ID --server http://127.0.0.1:3001"],
  "user": ["knot user create bob --role user", "knot user list", "knot user disable bob"],
  "user create": ["knot user create bob", "knot user create carol --role admin"],
  "user list": ["knot user list", "knot user list --json"],
  "user disable": ["knot user disable bob", "knot user disable bob --json"],
  "user enable": ["knot user enable bob", "knot user enable bob --json"],
  "user delete": ["knot user delete bob", "knot user delete bob --json"],
  "user set-role": ["knot user set-role bob admin", "knot user set-role bob user"],
  "user passwd": ["knot user passwd", "knot user passwd bob", "printf '%s\\n%s\\n' \"$PW\" \"$PW\" | knot user passwd bob"],
  "user ssh-key": ["knot user ssh-key add", "knot user ssh-key list", "knot user ssh-key remove laptop"],
  "user ssh-key add": [
    "knot user ssh-key add",
    "knot user ssh-key add --file ~/.ssh/id_rsa.pub --name laptop",
    "knot user ssh-key add --file bob.pub --user bob"
  ],
  "user ssh-key list": ["knot user ssh-key list", "knot user ssh-key list --all --json"],
  "user ssh-key remove": ["knot user ssh-key remove laptop", "knot user ssh-key remove SHA256:FINGERPRINT --user bob"],
  "leaf": ["knot leaf add laptop --user alice --zone laptop", "knot leaf set laptop --user alice --user bob", "knot leaf revoke laptop"],
  "leaf add": ["knot leaf add laptop --user alice --zone laptop", "knot leaf add build --user alice --user bob"],
  "leaf list": ["knot leaf list", "knot leaf list --json"],
  "leaf set": ["knot leaf set laptop --user alice --user bob", "knot leaf set laptop --zone office"],
  "leaf revoke": ["knot leaf revoke laptop", "knot leaf revoke laptop --server http://127.0.0.1:3001"],
  "quota": ["knot quota set bob --max-spaces 5 --max-running 2", "knot quota set default --memory-mb 1024", "knot quota list"],
  "quota set": [
    "knot quota set bob --max-spaces 5 --max-running 2",
    "knot quota set default --max-memory-mb 4096 --max-cpus 2 --memory-mb 1024 --cpus 1"
  ],
  "quota list": ["knot quota list", "knot quota list --json"],
  "audit": ["knot audit", "knot audit --since \"1 hour\" --user bob", "knot audit --json"],
  "admin": ["knot admin backup node1.backup", "knot admin restore node1.backup --data-dir ./node1-restored"],
  "admin backup": ["knot admin backup node1.backup", "knot admin backup node1.backup --server http://127.0.0.1:3001"],
  "admin restore": [
    "knot admin restore node1.backup --data-dir ./node1-restored",
    "knot admin restore /backups/node1.backup --data-dir /var/lib/knot/node1"
  ],
  "ssh-config": ["knot ssh-config", "knot ssh-config && ssh knot-dev", "knot ssh-config --ssh-port 2222 --file ./ssh_config"],
  "login": [
    "knot login --token TOKEN",
    "knot login --server http://build-box:3000 --token TOKEN"
  ],
  "sim": [
    "knot sim list",
    "knot sim run --scenario partition-heal --seed 7",
    "knot sim fuzz --scenario partition-heal --seeds 1000"
  ],
  "sim list": ["knot sim list", "knot sim list | grep leaf"],
  "sim run": [
    "knot sim run --scenario partition-heal --seed 7",
    "knot sim run --scenario swarm --seed 1 --nodes 64 --trace run.trace",
    "knot sim run --scenario long-partition --seed 1 --nodes 64 --links view"
  ],
  "sim fuzz": [
    "knot sim fuzz --scenario partition-heal --seeds 1000",
    "knot sim fuzz --scenario space-crashes --seeds 200 --start-seed 1000 --workers 2"
  ],
  "sim replay": [
    "knot sim replay --scenario partition-heal --seed 7 --trace run.trace",
    "knot sim replay --scenario swarm --seed 1 --nodes 64 --trace run.trace"
  ]
}
