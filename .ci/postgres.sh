# Sourced by .ci/run: installs (as root, from Debian's packages) and starts a throwaway PostgreSQL
# cluster on a free port of 127.0.0.1, exports GRADER_TEST_POSTGRES, and stops it on exit. Where it
# cannot, the service's PostgreSQL cases skip, saying why.
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
if [ -z "$(pg_bin)" ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) \
        || echo "could not install postgresql: the service's PostgreSQL tests will skip"
fi
if [ -n "$(pg_bin)" ]; then
    pg_dir="$(mktemp -d /tmp/grader-ci-pg.XXXX)"
    pg_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    pg_user="$( [ "$(id -u)" = 0 ] && echo postgres || id -un )"  # the server refuses to run as root
    chown "$pg_user" "$pg_dir"
    pg_run() { if [ "$(id -u)" = 0 ]; then su "$pg_user" -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
    if pg_run "'$(pg_bin)/initdb' -D '$pg_dir/data' -A trust -U postgres >'$pg_dir/initdb.log' 2>&1" \
        && pg_run "'$(pg_bin)/pg_ctl' -D '$pg_dir/data' -w -l '$pg_dir/log' -o \"-p $pg_port -k '$pg_dir' -c listen_addresses=127.0.0.1\" start >/dev/null"; then
        export GRADER_TEST_POSTGRES="postgresql+psycopg://postgres@127.0.0.1:$pg_port/postgres"
        trap "pg_run \"'$(pg_bin)/pg_ctl' -D '$pg_dir/data' -m fast stop >/dev/null\"; rm -rf '$pg_dir'" EXIT
        echo "PostgreSQL $(pg_run "'$(pg_bin)/postgres' --version") on 127.0.0.1:$pg_port for the service's tests"
    else
        echo "could not start PostgreSQL (see $pg_dir): the service's PostgreSQL tests will skip"
    fi
fi
