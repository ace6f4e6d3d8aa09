# syslogd.py - the syslog daemon of the Sendmail test: datagrams on a Unix
# socket (glibc's "<PRI>Mmm dd hh:mm:ss TAG[PID]: MSG") to lines of a file in
# rsyslog's traditional format (the host name "mx" added after the stamp)
import os, socket, sys
path, out = sys.argv[1], sys.argv[2]
try:
    os.unlink(path)
except FileNotFoundError:
    pass
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
os.chmod(path, 0o666)
with open(out, "a", buffering=1) as f:
    while True:
        d = s.recv(65536).decode("utf-8", "replace").rstrip("\n")
        if d.startswith("<") and ">" in d[:5]:
            d = d[d.index(">") + 1:]
        f.write(d[:16] + "mx " + d[16:] + "\n")
