# test/shell/lib/as_pg.sh — as_pg COMMAND…: run a server command as postgres when we are root
# (the server must not run as root).  Sourced by lib/cluster.sh and test/citus/run.sh.
as_pg()
{
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}
