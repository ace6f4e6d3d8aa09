#!/usr/bin/env python3
# faultd.py - an SMTP server that misbehaves on purpose, for smtpdx probe's
# tests: one listener per fault on 127.0.0.1 (ports from the first argument
# up), each connection served in a thread. Written for this project.
#   hang      greets, then never answers EHLO
#   drip      sends its greeting one byte a second, forever
#   reset     greets, then resets the connection (RST) at EHLO
#   longline  answers EHLO with one 100 KB line
#   endless   answers EHLO with "250-" lines that never end
#   garbage   greets with bytes that are not SMTP
#   refuse    greets with 554 and answers QUIT
#   tlsbad    offers STARTTLS, answers 220, then sends bytes that are no TLS
#   slowdot   takes MAIL, RCPT and DATA, reads the message to its ".", then
#             never answers it
# Usage: faultd.py FIRST_PORT  (prints "ready" when all listen; runs until killed)
import socket, struct, sys, threading, time

MODES = ["hang", "drip", "reset", "longline", "endless", "garbage", "refuse", "tlsbad", "slowdot"]

def readline(c):
    buf = b""
    while not buf.endswith(b"\n"):
        b = c.recv(1)
        if not b:
            raise EOFError
        buf += b
    return buf

def serve(mode, c):
    try:
        if mode == "drip":
            while True:
                for ch in b"220 drip.test ESMTP\r\n":
                    c.sendall(bytes([ch]))
                    time.sleep(1)
        if mode == "garbage":
            c.sendall(b"\x16\x03\x01\x00\x05hello\r\n")
            time.sleep(5)
            return
        if mode == "refuse":
            c.sendall(b"554 5.7.1 refuse.test: no SMTP service for you\r\n")
            readline(c)
            c.sendall(b"221 2.0.0 bye\r\n")
            return
        c.sendall(("220 %s.test ESMTP faultd\r\n" % mode).encode())
        readline(c)                                   # EHLO
        if mode == "hang":
            time.sleep(3600)
        elif mode == "reset":
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            c.close()
            return
        elif mode == "longline":
            c.sendall(b"250 " + b"x" * 100000 + b"\r\n")
            time.sleep(5)
        elif mode == "endless":
            while True:
                c.sendall(b"250-endless.test says more\r\n")
                time.sleep(0.001)
        elif mode == "tlsbad":
            c.sendall(b"250-tlsbad.test\r\n250 STARTTLS\r\n")
            readline(c)                               # STARTTLS
            c.sendall(b"220 2.0.0 go ahead\r\n")
            c.recv(4096)                              # the ClientHello
            c.sendall(b"this is not TLS at all\r\n" * 4)
            time.sleep(5)
        elif mode == "slowdot":
            c.sendall(b"250-slowdot.test\r\n250 PIPELINING\r\n")
            while True:
                line = readline(c).upper()
                if line.startswith(b"DATA"):
                    break
                c.sendall(b"250 2.1.0 ok\r\n")  # MAIL, RCPT
            c.sendall(b"354 go ahead\r\n")
            while readline(c) != b".\r\n":
                pass
            time.sleep(3600)
    except (OSError, EOFError):
        pass
    finally:
        try:
            c.close()
        except OSError:
            pass

def listen(mode, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(16)
    while True:
        c, _ = s.accept()
        threading.Thread(target=serve, args=(mode, c), daemon=True).start()

first = int(sys.argv[1])
for i, m in enumerate(MODES):
    threading.Thread(target=listen, args=(m, first + i), daemon=True).start()
time.sleep(0.3)
print("ready", flush=True)
while True:
    time.sleep(3600)
