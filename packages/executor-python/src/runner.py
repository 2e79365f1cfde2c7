"""kernelkit's Python runner: runs the cells of a Python notebook for @kernelkit/executor-python.

Standard library only. Requests and replies travel as NDJSON on a dedicated fd
(KERNELKIT_PY_FD), never on stdin/stdout: fd 0 is /dev/null (input() gets EOF) and fd 1/2
carry what cells print, also from C extensions and subprocesses. When a cell ends (or
displays something), a marker carrying a per-process nonce is written to fd 1/2 after
the cell's text if the host may not have read all of it yet, and the reply names the
marker, so the host can tell which output came before the reply.
"""
import sys

if sys.version_info < (3, 8):
    sys.stderr.write("kernelkit: the Python executor needs Python 3.8 or newer\n")
    sys.exit(3)

import ast
import builtins
import io
import json
import linecache
import os
import select
import signal
import symtable
import threading
import time
import types
import warnings

FD = int(os.environ.pop("KERNELKIT_PY_FD", "3"))
_FORKED = False
NONCE = os.environ.pop("KERNELKIT_PY_NONCE", "0")
NOTEBOOK = os.environ.pop("KERNELKIT_PY_NOTEBOOK", "")
RUNNER_FILE = os.path.abspath(__file__)
PARENT = os.getppid()
MAIN_THREAD = threading.get_ident()
ALLOW_TLA = getattr(ast, "PyCF_ALLOW_TOP_LEVEL_AWAIT", 0x2000)
CO_COROUTINE = 0x80
MARK_PREFIX = "\0kk" + NONCE + ":"
TEXT_LIMIT = 200_000

os.set_inheritable(FD, False)


class _State:
    running = False  # user code runs on the main thread: SIGINT raises KeyboardInterrupt
    sigint = False  # the KeyboardInterrupt being handled came from SIGINT
    idle_sigint = False  # a SIGINT arrived while no user code ran
    critical = 0  # > 0: the main thread writes a frame or marker; a SIGINT waits
    deferred = False
    seq = None  # the exec request being handled
    cancelled = set()  # exec requests the host interrupted before they started


S = _State()

# ---------------------------------------------------------------- channel


def _write_all(fd, data):
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


_send_lock = threading.Lock()


def _sanitize(value):
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else None
    if isinstance(value, dict):
        return {str(k): _sanitize(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_sanitize(v) for v in value]
    if value is None or isinstance(value, (str, int, bool)):
        return value
    return str(value)


_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, default=str)
_encode = _ENCODER.encode


def _fast_encoder():
    """_ENCODER.encode without the Python layers json.JSONEncoder puts around its C encoder."""
    try:
        from _json import encode_basestring, make_encoder

        def encode(msg):
            return "".join(make_encoder({}, str, encode_basestring, None, ": ", ", ", False, False, False)(msg, 0))

        probe = {"op": "probe", "n": [1, 2.5, None, True], "s": "é\n\"", "d": {"k": {}}}
        return encode if encode(probe) == _ENCODER.encode(probe) else None
    except Exception:
        return None


_encode = _fast_encoder() or _encode


def send(msg):
    if _FORKED:
        return  # a forked child (multiprocessing) must not write into the parent's channel
    try:
        data = (_encode(msg) + "\n").encode("utf-8")
    except (ValueError, UnicodeEncodeError, TypeError, RecursionError):
        data = (json.dumps(_sanitize(msg), ensure_ascii=True, default=str) + "\n").encode("ascii")
    _enter_critical()
    try:
        with _send_lock:
            n = os.write(FD, data)
            if n < len(data):
                _write_all(FD, data[n:])
    except OSError:
        os._exit(0)  # the host is gone
    finally:
        _leave_critical()


def _enter_critical():
    if threading.get_ident() == MAIN_THREAD:
        S.critical += 1


def _leave_critical():
    if threading.get_ident() != MAIN_THREAD:
        return
    S.critical -= 1
    if S.critical == 0 and S.deferred:
        S.deferred = False
        if S.running:
            S.sigint = True
            raise KeyboardInterrupt


def _on_sigint(signum, frame):
    if not S.running:
        S.idle_sigint = True
        return
    if S.critical:
        S.deferred = True
        return
    S.sigint = True
    raise KeyboardInterrupt


_rbuf = b""
_backlog = []
_backlog_pos = 0
_fresh = False  # the message being handled came from a read done just for it
_scan = json.JSONDecoder().scan_once


def _read_channel():
    """Reads what the channel has (blocking); False at end of input."""
    global _rbuf
    chunk = os.read(FD, 1 << 16)
    if not chunk:
        return False
    parts = (_rbuf + chunk).split(b"\n")
    _rbuf = parts.pop()
    for line in parts:
        if not line.strip():
            continue
        try:
            # json.loads without its encoding sniffing and whitespace regex; the host writes
            # one compact object per line.
            text = line.decode("utf-8")
            msg, end = _scan(text, 0)
            if end != len(text) and text[end:].strip():
                raise ValueError
        except (ValueError, StopIteration):
            msg = json.loads(line)  # raises the error json.loads would
        if msg.get("op") == "interrupt":
            # Registered at once, so an exec queued before it in the same batch sees it.
            S.cancelled.add(msg.get("seq"))
        else:
            _backlog.append(msg)
    return True


def _read_available():
    while select.select([FD], [], [], 0)[0]:
        if not _read_channel():
            return


def _next_message():
    global _backlog, _backlog_pos, _fresh
    _fresh = False
    while _backlog_pos >= len(_backlog):
        _backlog = []
        _backlog_pos = 0
        if not _read_channel():
            return None
        _fresh = True
    msg = _backlog[_backlog_pos]
    _backlog_pos += 1
    return msg


# ---------------------------------------------------------------- output streams


def _probe_for(fd):
    """How to ask whether the host has read everything written to fd (None: we cannot)."""
    try:
        import fcntl
        import stat
        import termios

        st = os.fstat(fd)
        if stat.S_ISFIFO(st.st_mode):
            req = termios.FIONREAD
        elif stat.S_ISSOCK(st.st_mode) and sys.platform.startswith("linux"):
            req = 0x5411  # SIOCOUTQ: bytes sent and not yet read by the peer
        else:
            return None
        fcntl.ioctl(fd, req, b"\0\0\0\0")
        return (fcntl.ioctl, req, st.st_dev, st.st_ino)
    except (ImportError, OSError, AttributeError):
        return None


_ZERO = b"\0\0\0\0"  # what the unread-bytes ioctl answers when the host has read everything


class _BinaryOut:
    def __init__(self, text):
        self._text = text

    def write(self, data):
        self._text.flush()
        try:
            _write_all(self._text._fd, bytes(data))
        except OSError:
            pass
        return len(data)

    def flush(self):
        self._text.flush()

    def fileno(self):
        return self._text._fd

    def isatty(self):
        return False

    def writable(self):
        return True


class OutStream(io.TextIOBase):
    """sys.stdout/sys.stderr: buffered briefly (a thread flushes within ~5 ms), flushed
    before subprocesses start, when a cell displays something and when it ends."""

    encoding = "utf-8"
    errors = "backslashreplace"
    newlines = None
    line_buffering = False
    mode = "w"

    def __init__(self, fd, name):
        self._fd = fd
        self.name = name
        self._parts = []
        self._size = 0
        self._armed = False
        self._direct = False
        self._lock = threading.Lock()
        self._mark = 0
        self._probe = _probe_for(fd)
        self.buffer = _BinaryOut(self)

    def writable(self):
        return True

    def readable(self):
        return False

    def seekable(self):
        return False

    def isatty(self):
        return False

    def fileno(self):
        return self._fd

    def close(self):
        self.flush()

    def reconfigure(self, **_kwargs):
        pass

    def write(self, s):
        if not isinstance(s, str):
            raise TypeError("write() argument must be str, not " + type(s).__name__)
        if not s:
            return 0
        with self._lock:
            self._parts.append(s)
            self._size += len(s)
            big = self._size >= 65536
            arm = not self._armed
            self._armed = True
        if big or self._direct:
            self.flush()
        elif arm:
            _wake.set()
        return len(s)

    def flush(self):
        with self._lock:
            self._flush_locked()

    def _flush_locked(self):
        if not self._parts:
            return
        data = "".join(self._parts).encode("utf-8", "backslashreplace")
        self._parts = []
        self._size = 0
        self._armed = False
        try:
            _write_all(self._fd, data)
        except OSError:
            pass

    def sync(self, always=False):
        """Flushes; writes a marker when the host may not have read everything yet (always,
        for a message in the middle of a cell: text the cell writes after it must wait for it)."""
        with self._lock:
            if self._parts:
                self._flush_locked()
            if not self._maybe_unread(always):
                return None
            self._mark += 1
            try:
                _write_all(self._fd, (MARK_PREFIX + str(self._mark) + "\0").encode("ascii"))
            except OSError:
                self._mark -= 1
                return None
            return self._mark

    def _maybe_unread(self, always=False):
        p = self._probe
        if p is None:
            return True
        try:
            # Asked first: almost always nothing is unread, and then no marker is written.
            if not always and p[0](self._fd, p[1], _ZERO) == _ZERO:
                return False
            st = os.fstat(self._fd)
            # The cell pointed the fd elsewhere: never write markers there.
            return st.st_dev == p[2] and st.st_ino == p[3]
        except OSError:
            return False

    def _after_fork(self):
        self._lock = threading.Lock()
        self._parts = []
        self._size = 0
        self._direct = True  # no flusher thread in a forked child


_wake = threading.Event()
OUT = OutStream(1, "<stdout>")
ERR = OutStream(2, "<stderr>")
_STREAMS = (OUT, ERR)


def _flush_all():
    for s in _STREAMS:
        s.flush()


_emit_lock = threading.RLock()


def emit(msg, always=False):
    """Sends a message that follows output: the markers it names and the message itself go
    out under one lock, so the host sees markers and messages in the same order (a display()
    from another thread cannot slip in between)."""
    if _FORKED:
        return
    _enter_critical()
    try:
        with _emit_lock:
            msg["so"] = OUT.sync(always)
            msg["se"] = ERR.sync(always)
            send(msg)
    finally:
        _leave_critical()


def _after_fork():
    global _FORKED
    _FORKED = True
    for s in _STREAMS:
        s._after_fork()


def _background():
    while True:
        fired = _wake.wait(1.0)
        if os.getppid() != PARENT:
            os._exit(0)  # the host died without closing the channel
        if fired:
            _wake.clear()
            time.sleep(0.005)
            for s in _STREAMS:
                try:
                    s.flush()
                except Exception:
                    pass


_FLUSH_EVENTS = frozenset(
    ("subprocess.Popen", "os.system", "os.posix_spawn", "os.spawn", "os.exec", "os.fork", "os.forkpty", "pty.spawn")
)


def _audit(event, _args):
    # Text printed before a subprocess starts must reach the host before the subprocess's own.
    if event in _FLUSH_EVENTS:
        for s in _STREAMS:
            s.flush()


# ---------------------------------------------------------------- rich output

_REPRS = (
    ("_repr_html_", "text/html"),
    ("_repr_markdown_", "text/markdown"),
    ("_repr_svg_", "image/svg+xml"),
    ("_repr_png_", "image/png"),
    ("_repr_jpeg_", "image/jpeg"),
    ("_repr_json_", "application/json"),
    ("_repr_latex_", "text/latex"),
    ("_repr_javascript_", "application/javascript"),
)
_BINARY = ("image/png", "image/jpeg")


def _method(value, name):
    if isinstance(value, type):
        return None  # a class's _repr_html_ is an unbound function
    try:
        m = getattr(value, name, None)
    except Exception:
        return None
    return m if callable(m) else None


def _safe_repr(value):
    try:
        text = repr(value)
    except Exception as e:
        text = "<repr of %s object failed: %s: %s>" % (type(value).__name__, type(e).__name__, e)
    if len(text) > TEXT_LIMIT:
        text = text[:TEXT_LIMIT] + "… (%d more characters)" % (len(text) - TEXT_LIMIT)
    return text


def _normalize(mime, data):
    if isinstance(data, tuple) and data:
        data = data[0]  # (data, metadata)
    if data is None:
        return None
    if mime in _BINARY or mime.startswith("image/") and mime != "image/svg+xml":
        if isinstance(data, (bytes, bytearray, memoryview)):
            import base64

            return base64.b64encode(bytes(data)).decode("ascii")
        return str(data)
    if mime == "application/json" or mime.endswith("+json"):
        return data
    if isinstance(data, (bytes, bytearray)):
        return bytes(data).decode("utf-8", "replace")
    return data if isinstance(data, str) else str(data)


def format_bundle(value):
    """The mime bundle of a value: its _repr_*_ methods, and text/plain = repr()."""
    bundle = {}
    rich = not isinstance(value, (str, int, float, bool, type(None), list, tuple, dict))
    if rich and _method(value, "_kernelkit_canary_should_not_exist_") is not None:
        rich = False  # the object answers every attribute (a mock): ask it nothing
    if rich:
        m = _method(value, "_repr_mimebundle_")
        if m is not None:
            try:
                try:
                    data = m(include=None, exclude=None)
                except TypeError:
                    data = m()
                if isinstance(data, tuple):
                    data = data[0]
                if isinstance(data, dict):
                    for mime, v in data.items():
                        v = _normalize(str(mime), v)
                        if v is not None:
                            bundle[str(mime)] = v
            except Exception as e:
                _repr_failed(value, "_repr_mimebundle_", e)
        for name, mime in _REPRS:
            if mime in bundle:
                continue
            m = _method(value, name)
            if m is None:
                continue
            try:
                v = _normalize(mime, m())
            except Exception as e:
                _repr_failed(value, name, e)
                continue
            if v is not None:
                bundle[mime] = v
    if not isinstance(bundle.get("text/plain"), str):
        bundle["text/plain"] = _safe_repr(value)
    return bundle


def _repr_failed(value, name, error):
    ERR.write("kernelkit: %s.%s() failed: %s: %s\n" % (type(value).__name__, name, type(error).__name__, error))


def display(*objs, raw=False, **_ignored):
    """Shows each value as an extra output of the running cell (a mime bundle with raw=True)."""
    for obj in objs:
        if raw and isinstance(obj, dict):
            bundle = {str(k): v for k, v in obj.items()}
            if not isinstance(bundle.get("text/plain"), str):
                bundle["text/plain"] = ""
        else:
            bundle = format_bundle(obj)
        emit({"op": "display", "seq": S.seq, "bundle": bundle}, always=True)



# ---------------------------------------------------------------- IPython syntax

SUPPORTED_MAGICS = "%time, %%time, %matplotlib inline and !command lines (also `x = !command`)"
_ipy_cache = {}
_ASSIGN_BANG = None


class _Magic:
    """What the rewritten IPython lines call (as the builtin `__kk_magic`)."""

    inline = False

    @staticmethod
    def clock():
        return (time.perf_counter(), os.times())

    @staticmethod
    def timed(start, value):
        _print_times(start)
        return value

    @staticmethod
    def system(cmd):
        import subprocess

        frame = sys._getframe(1)
        cmd = _expand(cmd, frame)
        for s in _STREAMS:
            s.flush()
        # Output goes straight to the cell's fd 1/2, as IPython's `!` shows it.
        subprocess.call(cmd, shell=True, stdin=subprocess.DEVNULL)

    @staticmethod
    def getoutput(cmd):
        import subprocess

        frame = sys._getframe(1)
        cmd = _expand(cmd, frame)
        r = subprocess.run(cmd, shell=True, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        return r.stdout.decode("utf-8", "replace").splitlines()

    @staticmethod
    def matplotlib_inline():
        _Magic.inline = True
        try:
            import matplotlib
        except ImportError:
            return  # accepted: there is nothing to draw figures with
        matplotlib.use("agg", force=True)
        import matplotlib.pyplot as plt

        def show(*_args, **_kwargs):
            _flush_figures()

        plt.show = show


def _expand(cmd, frame):
    """IPython's expansion of `{expression}` and `$name` in a `!` line, leniently: what cannot
    be expanded stays as written."""
    import re

    ns = dict(frame.f_globals)
    ns.update(frame.f_locals)

    def brace(m):
        try:
            return str(eval(m.group(1), ns))
        except Exception:
            return m.group(0)

    out = re.sub(r"(?<!\{)\{([^{}]+)\}(?!\})", brace, cmd)
    out = out.replace("{{", "{").replace("}}", "}")

    def dollar(m):
        if m.group(1) == "$":
            return "$"
        name = m.group(2)
        return str(ns[name]) if name in ns else m.group(0)

    return re.sub(r"\$(\$)|\$([A-Za-z_][A-Za-z0-9_]*)", dollar, out)


def _format_time(t):
    """IPython's format of a duration (3 significant digits, s/ms/µs/ns)."""
    import math

    if t >= 60:
        minutes, seconds = divmod(t, 60)
        return "%dmin %.0fs" % (minutes, seconds)
    units = ("s", "ms", "\u00b5s", "ns")
    scaling = (1, 1e3, 1e6, 1e9)
    order = min(-int(math.floor(math.log10(t)) // 3), 3) if t > 0 else 3
    return "%.*g %s" % (3, t * scaling[order], units[order])


def _print_times(start):
    wall0, cpu0 = start
    wall = time.perf_counter() - wall0
    cpu = os.times()
    user = cpu.user - cpu0.user
    system = cpu.system - cpu0.system
    OUT.write(
        "CPU times: user %s, sys: %s, total: %s\nWall time: %s\n"
        % (_format_time(user), _format_time(system), _format_time(user + system), _format_time(wall))
    )


def _flush_figures():
    """Every open matplotlib figure as an image/png display, then closed (IPython's inline backend)."""
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is None:
        return
    import base64

    try:
        nums = plt.get_fignums()
    except Exception:
        return
    for num in nums:
        fig = plt.figure(num)
        buf = io.BytesIO()
        try:
            fig.savefig(buf, format="png", bbox_inches="tight")
        except Exception as e:
            ERR.write("kernelkit: could not draw figure %s: %s: %s\n" % (num, type(e).__name__, e))
            continue
        bundle = {"image/png": base64.b64encode(buf.getvalue()).decode("ascii"), "text/plain": _safe_repr(fig)}
        emit({"op": "display", "seq": S.seq, "bundle": bundle}, always=True)
    plt.close("all")


class MagicError(Exception):
    def __init__(self, message, line, column=1):
        Exception.__init__(self, message)
        self.line = line
        self.column = column


def _ipython(code):
    """(Python source with the cell's line numbers, whether the whole cell is timed) for a cell
    that may use IPython syntax; raises MagicError for a magic kernelkit does not support.
    Plain Python is returned as it is."""
    hit = _ipy_cache.get(code)
    if hit is not None:
        return hit
    result = (code, False)
    if "%" in code or "!" in code:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                compile(code, "<cell>", "exec", ast.PyCF_ONLY_AST | ALLOW_TLA, dont_inherit=True)
        except SyntaxError:
            result = _rewrite(code)
        except (ValueError, TypeError):
            pass
    if len(_ipy_cache) >= 5000:
        _ipy_cache.clear()
    _ipy_cache[code] = result
    return result


def _rewrite(code):
    import re

    global _ASSIGN_BANG
    if _ASSIGN_BANG is None:
        _ASSIGN_BANG = re.compile(r"^([A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*)\s*=\s*!(.*)$")
    lines = code.split("\n")
    timed = False
    first = next((i for i, l in enumerate(lines) if l.strip()), None)
    for i, line in enumerate(lines):
        stripped = line.lstrip()
        indent = line[: len(line) - len(stripped)]
        body = stripped.rstrip("\r")
        if body.startswith("%%"):
            name = body[2:].split(None, 1)[0] if len(body) > 2 else ""
            if name == "time" and i == first and not body[6:].strip():
                timed = True
                lines[i] = ""
                continue
            if name == "time":
                raise MagicError("%%time must be the first line of its cell, alone", i + 1)
            raise MagicError(
                "unsupported IPython magic %%%%%s; kernelkit supports %s" % (name, SUPPORTED_MAGICS),
                i + 1,
            )
        if body.startswith("%"):
            parts = body[1:].split(None, 1)
            name = parts[0] if parts else ""
            arg = parts[1].strip() if len(parts) > 1 else ""
            if name == "time":
                if not arg:
                    raise MagicError("%time needs a statement to time", i + 1)
                lines[i] = indent + _timed_line(arg, i + 1)
                continue
            if name == "matplotlib" and arg in ("inline", ""):
                lines[i] = indent + "__kk_magic.matplotlib_inline()"
                continue
            raise MagicError(
                "unsupported IPython magic %%%s; kernelkit supports %s" % ((name + " " + arg).strip(), SUPPORTED_MAGICS),
                i + 1,
            )
        if body.startswith("!"):
            lines[i] = indent + "__kk_magic.system(%r)" % body[1:].strip()
            continue
        m = _ASSIGN_BANG.match(body)
        if m:
            lines[i] = indent + "%s = __kk_magic.getoutput(%r)" % (m.group(1), m.group(2).strip())
    return ("\n".join(lines), timed)


def _timed_line(stmt, line):
    try:
        ast.parse(stmt, mode="eval")
        return "__kk_magic.timed(__kk_magic.clock(), (%s))" % stmt
    except SyntaxError:
        pass
    try:
        tree = ast.parse(stmt)
    except SyntaxError as e:
        raise MagicError("invalid statement after %%time: %s" % e.msg, line)
    if len(tree.body) != 1 or isinstance(
        tree.body[0], (ast.For, ast.While, ast.If, ast.With, ast.Try, ast.FunctionDef, ast.ClassDef, ast.AsyncFor, ast.AsyncWith, ast.AsyncFunctionDef)
    ):
        raise MagicError("%time takes one simple statement on its line; use %%time for a block", line)
    return "__kk_t0 = __kk_magic.clock(); %s; __kk_magic.timed(__kk_t0, None)" % stmt


def _star_imports(code):
    """`from m import *` at the top of a cell: [{module, line}]."""
    if "*" not in code:
        return []
    out = []
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names):
            out.append({"module": "." * (node.level or 0) + (node.module or ""), "line": node.lineno})
    return out


# ---------------------------------------------------------------- analysis

_analysis = {}


def _symbol_flags(symbol):
    return getattr(symbol, "_Symbol__flags", 0)


def _comp_iter_flag():
    """Python 3.12+ inlines comprehensions (PEP 709): their loop variables then appear in the
    module's own symbol table, marked by a flag symtable does not expose. Learn it by probing."""
    try:
        table = symtable.symtable("[0 for v in x]\nw = 1", "<probe>", "exec")
        flags = {s.get_name(): _symbol_flags(s) for s in table.get_symbols()}
        if "v" not in flags or "w" not in flags:
            return 0  # comprehensions have tables of their own
        return (flags["v"] & ~flags["w"]) & 0x7FF
    except Exception:
        return 0


_COMP_ITER = _comp_iter_flag()
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_SCOPES = _COMPREHENSIONS + (ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _read_at_top_level(code, names):
    """Which of `names` the cell reads outside comprehensions, functions and classes."""
    found = set()
    stack = list(ast.parse(code).body)
    while stack:
        node = stack.pop()
        if isinstance(node, _SCOPES):
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in names:
            found.add(node.id)
        stack.extend(ast.iter_child_nodes(node))
    return found


def _names(table, code):
    """defs, refs and builtins read by a cell, from its symbol table; plus its private bindings."""
    bound = []
    bound_set = set()
    read = []
    read_set = set()

    def bind(n):
        if n not in bound_set:
            bound_set.add(n)
            bound.append(n)

    def ref(n):
        if n not in read_set:
            read_set.add(n)
            read.append(n)

    comp_iters = []
    for s in table.get_symbols():
        n = s.get_name()
        if _COMP_ITER and _symbol_flags(s) & _COMP_ITER:
            comp_iters.append(n)  # a comprehension's own variable, not the cell's
        elif s.is_assigned() or s.is_imported() or s.is_namespace() or s.is_declared_global():
            # (declared global at module level: a walrus inside an inlined comprehension)
            bind(n)
        elif s.is_referenced():
            ref(n)
    if comp_iters:
        for n in _read_at_top_level(code, set(comp_iters)):
            ref(n)

    stack = list(table.get_children())
    while stack:
        t = stack.pop(0)
        for s in t.get_symbols():
            if not s.is_global():
                continue
            if s.is_declared_global() and s.is_assigned():
                bind(s.get_name())
            elif s.is_referenced():
                ref(s.get_name())
        stack.extend(t.get_children())

    builtin_names = vars(builtins)
    defs = [n for n in bound if not n.startswith("_")]
    private = [n for n in bound if n.startswith("_") and not (n.startswith("__") and n.endswith("__"))]
    refs = []
    globals_read = []
    for n in read:
        if n in bound_set or n.startswith("_"):
            continue
        (globals_read if n in builtin_names else refs).append(n)
    return defs, refs, globals_read, private


def analyze(code):
    """(wire result, defs, private names) of a cell; cached by content."""
    hit = _analysis.get(code)
    if hit is not None:
        return hit
    original = code
    try:
        code = _ipython(original)[0]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(code, "<cell>", "exec", ALLOW_TLA, dont_inherit=True)
            table = symtable.symtable(code, "<cell>", "exec")
        defs, refs, globals_read, private = _names(table, code)
        wire = {"defs": defs, "refs": refs, "globalRefs": globals_read, "error": None}
        stars = _star_imports(code)
        if stars:
            wire["starImports"] = stars
    except MagicError as e:
        defs, private = [], []
        wire = {
            "defs": [],
            "refs": [],
            "globalRefs": [],
            "error": {
                "message": str(e),
                "line": e.line,
                "column": e.column,
                "code": "KK_UNSUPPORTED_MAGIC",
                "name": "UnsupportedMagicError",
            },
        }
    except SyntaxError as e:
        defs, private = [], []
        message = e.msg or "invalid syntax"
        wire = {
            "defs": [],
            "refs": [],
            "globalRefs": [],
            "error": {"message": message, "line": e.lineno or 1, "column": e.offset or 1},
        }
    except (ValueError, TypeError) as e:  # e.g. NUL characters in the source
        defs, private = [], []
        wire = {"defs": [], "refs": [], "globalRefs": [], "error": {"message": str(e), "line": 1, "column": 1}}
    if len(_analysis) >= 20000:
        _analysis.clear()
    result = (wire, defs, private)
    _analysis[original] = result
    return result


# ---------------------------------------------------------------- execution

MAIN = types.ModuleType("__main__")
NS = MAIN.__dict__
NS["__builtins__"] = builtins
if NOTEBOOK:
    NS["__file__"] = NOTEBOOK

_compiled = {}
_vfiles = {}  # filename -> virtual lines (linecache), so tracebacks show the cells' code
_registered = {}  # (filename, line) -> code registered there
_cell_files = set()
_shared = set()


class _Compiled:
    __slots__ = ("body", "expr", "quiet", "keep", "filename", "label", "nested")


_HAS_QUALNAME = hasattr(compile("0", "", "eval"), "co_qualname")


def _rename(code, label):
    if _HAS_QUALNAME:
        return code.replace(co_name=label, co_qualname=label)
    return code.replace(co_name=label)


def _nested_names(code, out):
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            out.update(c.co_names)
            _nested_names(c, out)


def _has_nested(co):
    return co is not None and any(isinstance(c, types.CodeType) for c in co.co_consts)


def _retarget(co, filename, label=None, nested=True):
    """The same code object, as if compiled from `filename` (nested functions too)."""
    changes = {"co_filename": filename}
    if label is not None:
        changes["co_name"] = label
        if _HAS_QUALNAME:
            changes["co_qualname"] = label
    if nested and any(isinstance(c, types.CodeType) for c in co.co_consts):
        changes["co_consts"] = tuple(
            _retarget(c, filename) if isinstance(c, types.CodeType) else c for c in co.co_consts
        )
    return co.replace(**changes)


def compile_cell(code, filename, line, label):
    # Keyed without the file name and label: every scratch `execute` has its own
    # (<execute N>), and compiling is the costly part of a trivial cell's round trip.
    key = (code, line)
    hit = _compiled.get(key)
    if hit is not None:
        if hit.filename == filename and hit.label == label:
            return hit
        c = _Compiled()
        c.filename, c.label, c.quiet, c.keep, c.nested = filename, label, hit.quiet, hit.keep, hit.nested
        c.body = _retarget(hit.body, filename, label, hit.nested) if hit.body is not None else None
        c.expr = _retarget(hit.expr, filename, label, hit.nested) if hit.expr is not None else None
        return c
    tree = compile(code, filename, "exec", ast.PyCF_ONLY_AST | ALLOW_TLA, dont_inherit=True)
    c = _Compiled()
    c.filename, c.label = filename, label
    c.quiet = False
    expr = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = tree.body.pop()
        # A trailing semicolon hides the value, as in Jupyter.
        src_lines = code.splitlines()
        if last.end_lineno is not None and last.end_lineno <= len(src_lines):
            rest = src_lines[last.end_lineno - 1][last.end_col_offset :]
            c.quiet = rest.lstrip().startswith(";")
        expr = ast.Expression(last.value)
    if line > 1:
        ast.increment_lineno(tree, line - 1)
        if expr is not None:
            ast.increment_lineno(expr, line - 1)
    c.body = _rename(compile(tree, filename, "exec", ALLOW_TLA, dont_inherit=True), label) if tree.body else None
    c.expr = _rename(compile(expr, filename, "eval", ALLOW_TLA, dont_inherit=True), label) if expr else None
    # Private names survive the cell only when a function or class it defines reads them.
    keep = set()
    for part in (c.body, c.expr):
        if part is not None:
            _nested_names(part, keep)
    c.keep = keep
    c.nested = _has_nested(c.body) or _has_nested(c.expr)
    if len(_compiled) >= 5000:
        _compiled.clear()
    _compiled[key] = c
    return c


_SCRATCH_KEEP = 1000
_scratch_files = []


def _register_source(code, filename, line):
    key = (filename, line)
    if _registered.get(key) == code:
        return
    _registered[key] = code
    lines = code.splitlines(True) or ["\n"]
    if not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    if filename not in _cell_files:
        _cell_files.add(filename)
        if filename.startswith("<"):
            # Every scratch execution has a file of its own: keep the sources of recent ones only.
            _scratch_files.append(filename)
            if len(_scratch_files) > 2 * _SCRATCH_KEEP:
                for old in _scratch_files[:_SCRATCH_KEEP]:
                    _cell_files.discard(old)
                    _vfiles.pop(old, None)
                    _registered.pop((old, 1), None)
                    linecache.cache.pop(old, None)
                del _scratch_files[:_SCRATCH_KEEP]
        if line == 1:
            # A file seen for the first time (every scratch execution): the cell is all of it.
            _vfiles[filename] = lines
            linecache.cache[filename] = (len(code) + (not code.endswith("\n")), None, lines, filename)
            return
    v = _vfiles.setdefault(filename, [])
    start = line - 1
    if len(v) < start + len(lines):
        v.extend(["\n"] * (start + len(lines) - len(v)))
    v[start : start + len(lines)] = lines
    linecache.cache[filename] = (sum(len(x) for x in v), None, v, filename)


_loop = None


def _run(code):
    if code.co_flags & CO_COROUTINE:
        return _run_async(eval(code, NS))
    return eval(code, NS)


def _run_async(coro):
    global _loop
    import asyncio

    if _loop is None or _loop.is_closed():
        _loop = asyncio.new_event_loop()
    task = _loop.create_task(coro)
    try:
        return _loop.run_until_complete(task)
    except KeyboardInterrupt:
        if not task.done():
            task.cancel()
            try:
                _loop.run_until_complete(task)
            except BaseException:
                pass
        raise


def _user_traceback(e, display_names):
    import traceback

    tb = e.__traceback__
    # Frames before the first frame of a cell are the runner's (and asyncio's) own.
    while tb is not None and tb.tb_frame.f_code.co_filename not in _cell_files:
        tb = tb.tb_next
    try:
        text = "".join(traceback.format_exception(type(e), e, tb))
    except Exception:
        text = "%s: %s\n" % (type(e).__name__, _safe_str(e))
    for filename, shown in display_names.items():
        text = text.replace('File "%s"' % filename, 'File "%s"' % shown)
    # First the error itself (as every kernelkit traceback starts), then Python's own text.
    message = _safe_str(e).split("\n", 1)[0]
    header = "%s: %s" % (type(e).__name__, message) if message else type(e).__name__
    return [header] + text.rstrip("\n").split("\n")


def _safe_str(e):
    try:
        return str(e)
    except Exception:
        return "<unprintable %s object>" % type(e).__name__


def _describe(e, kind, display_names):
    info = {
        "kind": kind,
        "ename": type(e).__name__,
        "evalue": _safe_str(e),
        "qualname": "%s.%s" % (type(e).__module__, type(e).__qualname__),
        "traceback": _user_traceback(e, display_names),
    }
    if kind == "exit":
        code = e.code
        info["exitCode"] = code if isinstance(code, (int, str)) or code is None else str(code)
    return info


def _scalar(value):
    t = type(value)
    if t is bool or value is None:
        return True
    if t is int:
        return -(2**53) < value < 2**53
    if t is float:
        return value == value and value not in (float("inf"), float("-inf"))
    if t is str:
        return len(value) <= 4096
    return False


def _report_defs(defs):
    names = []
    values = {}
    types_ = {}
    gone = []
    for n in defs:
        if n in NS:
            v = NS[n]
            names.append(n)
            _shared.add(n)
            if _scalar(v):
                values[n] = v
            else:
                types_[n] = type(v).__name__
        elif n in _shared:
            _shared.discard(n)
            gone.append(n)
    return names, values, types_, gone


try:
    from _signal import getsignal as _raw_getsignal  # no enum conversion: ~50x faster
except ImportError:
    _raw_getsignal = signal.getsignal


def _ensure_sigint_handler():
    # A cell may have replaced the handler (or ignored SIGINT); the next cell gets ours back.
    if _raw_getsignal(signal.SIGINT) is not _on_sigint:
        signal.signal(signal.SIGINT, _on_sigint)


def _early_interrupt(seq):
    """A SIGINT came while no cell ran: was it meant for this one? (The host writes the
    `interrupt` request before it signals.)"""
    S.idle_sigint = False
    _read_available()
    return seq in S.cancelled


_NO_NAMES = {}


def op_exec(msg):
    seq = msg["seq"]
    S.seq = seq
    code = msg["code"]
    filename = msg.get("file") or "<execute>"
    line = int(msg.get("line") or 1)
    label = msg.get("label") or "<module>"
    shown = msg.get("display") or filename
    display_names = {filename: shown} if shown != filename else _NO_NAMES
    # An `interrupt` written while this request waited in the queue is read before it runs.
    # A request read just now has not waited: what came with it is registered already, and
    # an interrupt written later comes with SIGINT, as for a cell already running.
    if not _fresh:
        _read_available()
    if S.cancelled:
        cancelled = seq in S.cancelled
        S.cancelled = {s for s in S.cancelled if isinstance(s, int) and s > seq}
        if cancelled:
            return _done(seq, "interrupted", error={"kind": "interrupt", "ename": "KeyboardInterrupt", "evalue": "", "traceback": []})
    status = "ok"
    error = None
    bundle = None
    names = values = types_ = gone = None
    try:
        _register_source(code, filename, line)
        source, timed = _ipython(code)
        compiled = compile_cell(source, filename, line, label)
    except MagicError as e:
        info = {"kind": "exception", "ename": "UnsupportedMagicError", "evalue": str(e), "qualname": "kernelkit.UnsupportedMagicError"}
        info["traceback"] = ["UnsupportedMagicError: " + str(e)]
        return _done(seq, "error", error=info)
    except SyntaxError as e:
        return _done(seq, "error", error=_describe(e, "exception", display_names))
    _wire, defs, private = analyze(code)
    S.sigint = False
    try:
        if S.idle_sigint and _early_interrupt(seq):
            S.sigint = True
            raise KeyboardInterrupt
        S.running = True
        started = _Magic.clock() if timed else None
        if compiled.body is not None:
            _run(compiled.body)
        if compiled.expr is not None:
            value = _run(compiled.expr)
            if started is not None:
                _print_times(started)
                started = None
            if value is not None and not compiled.quiet:
                bundle = format_bundle(value)
        if started is not None:
            _print_times(started)
        S.running = False
    except BaseException as e:
        S.running = False
        if isinstance(e, KeyboardInterrupt) and S.sigint:
            status, error = "interrupted", _describe(e, "interrupt", display_names)
        elif isinstance(e, SystemExit):
            status, error = "error", _describe(e, "exit", display_names)
        else:
            status, error = "error", _describe(e, "exception", display_names)
        e = None
    S.running = False
    S.sigint = False
    if _Magic.inline:
        try:
            _flush_figures()
        except Exception as e:
            ERR.write("kernelkit: could not show figures: %s: %s\n" % (type(e).__name__, e))
    for n in private:
        if n not in compiled.keep:
            NS.pop(n, None)
    if defs:
        names, values, types_, gone = _report_defs(defs)
    _ensure_sigint_handler()
    _done(seq, status, bundle=bundle, error=error, defs=names, values=values, types=types_, gone=gone)


def _done(seq, status, bundle=None, error=None, defs=None, values=None, types=None, gone=None):
    msg = {"op": "done", "seq": seq, "status": status}
    if bundle is not None:
        msg["bundle"] = bundle
    if error is not None:
        msg["error"] = error
    if defs:
        msg["defs"] = defs
    if values:
        msg["values"] = values
    if types:
        msg["types"] = types
    if gone:
        msg["gone"] = gone
    S.seq = None
    emit(msg)


def op_analyze(msg):
    send({"op": "analysis", "seq": msg["seq"], **analyze(msg["code"])[0]})


def op_set(msg):
    name = msg["name"]
    NS[name] = msg.get("value")
    _shared.add(name)


def op_del(msg):
    name = msg["name"]
    NS.pop(name, None)
    _shared.discard(name)


def op_ping(msg):
    send({"op": "pong", "seq": msg.get("seq")})


# ---------------------------------------------------------------- code queries
# complete / inspect / is_complete (protocol v1.1) answer from the running interpreter, in
# order with cells: the host sends them like any request, so one asked while a cell runs is
# answered right after it. Modules load on the first query, not at startup.

_DOTTED_TAIL = None


def _dotted_before(code, pos):
    global _DOTTED_TAIL
    if _DOTTED_TAIL is None:
        import re
        _DOTTED_TAIL = re.compile(r"[A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*\.?$|$")
    return _DOTTED_TAIL.search(code[:pos]).group(0)


def _word_after(code, pos):
    end = pos
    while end < len(code) and (code[end].isalnum() or code[end] == "_"):
        end += 1
    return end


def _kind(value):
    if isinstance(value, type):
        return "class"
    if isinstance(value, types.ModuleType):
        return "module"
    if callable(value):
        return "function"
    return "variable"


def complete(code, pos):
    import keyword
    import rlcompleter

    text = _dotted_before(code, pos)
    end = _word_after(code, pos)
    prefix = text.rsplit(".", 1)[-1] if "." in text else text
    start = pos - len(prefix)
    if text == "" and code[:pos][-1:] not in ("", " ", "\t", "\n", "(", "[", ",", "=", ":"):
        return {"matches": [], "cursorStart": pos, "cursorEnd": end}
    completer = rlcompleter.Completer(NS)
    matches = []
    seen = set()
    state = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        while state < 2000:
            try:
                m = completer.complete(text, state)
            except Exception:
                break
            if m is None:
                break
            state += 1
            name = m.rsplit(".", 1)[-1] if "." in text else m
            called = name.endswith("(")
            name = name.rstrip("(").rstrip()
            if name in seen or (name.startswith("__") and not prefix.startswith("_")):
                continue
            seen.add(name)
            kind = "keyword" if keyword.iskeyword(name) or name in getattr(keyword, "softkwlist", ()) else ("function" if called else "variable")
            if "." not in text and name in NS:
                kind = _kind(NS[name])
            matches.append({"text": name, "kind": kind})
    return {"matches": matches, "cursorStart": start, "cursorEnd": end}


def _resolve(path):
    parts = path.split(".")
    if parts[0] in NS:
        value = NS[parts[0]]
    elif hasattr(builtins, parts[0]):
        value = getattr(builtins, parts[0])
    else:
        return None, False
    for part in parts[1:]:
        try:
            value = getattr(value, part)
        except Exception:
            return None, False
    return value, True


def inspect_at(code, pos, detail):
    import inspect

    before = _dotted_before(code, pos).rstrip(".")
    end = _word_after(code, pos)
    path = before + code[pos:end] if before else code[pos:end]
    if not path:
        # The cursor sits inside a call's parentheses: inspect the callee.
        depth = 0
        i = pos - 1
        while i >= 0:
            c = code[i]
            if c == ")":
                depth += 1
            elif c == "(":
                if depth == 0:
                    path = _dotted_before(code, i).rstrip(".")
                    break
                depth -= 1
            i -= 1
    if not path:
        return {"found": False, "bundle": {}}
    value, found = _resolve(path)
    if not found:
        return {"found": False, "bundle": {}}
    head = path
    try:
        if callable(value):
            head = path + str(inspect.signature(value))
    except (TypeError, ValueError):
        pass
    kind = type(value).__name__
    doc = inspect.getdoc(value) or ""
    lines = [head + "  # " + kind if callable(value) else "%s: %s = %s" % (path, kind, _safe_repr(value)[:200])]
    if doc:
        lines += ["", doc]
    if detail and callable(value):
        try:
            lines += ["", inspect.getsource(value)]
        except (OSError, TypeError):
            pass
    plain = "\n".join(lines)
    md = "```python\n" + lines[0] + "\n```" + ("\n\n" + "\n".join(lines[2:]) if len(lines) > 2 else "")
    return {"found": True, "bundle": {"text/plain": plain, "text/markdown": md}}


def is_complete(code):
    import codeop

    if not code.strip():
        return {"status": "complete"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            compile(code, "<input>", "exec", ALLOW_TLA)
            return {"status": "complete"}
        except (SyntaxError, ValueError, OverflowError):
            pass
        try:
            compiled = codeop.compile_command(code, "<input>", "exec")
        except (SyntaxError, ValueError, OverflowError):
            return {"status": "invalid"}
    if compiled is not None:
        return {"status": "complete"}
    last = code.rstrip("\n").split("\n")[-1]
    indent = last[: len(last) - len(last.lstrip())]
    if last.rstrip().endswith(":"):
        indent += "    "
    return {"status": "incomplete", "indent": indent}


def op_query(msg):
    kind = msg.get("query")
    try:
        if kind == "complete":
            result = complete(msg["code"], msg["cursorPos"])
        elif kind == "inspect":
            result = inspect_at(msg["code"], msg["cursorPos"], msg.get("detailLevel", 0))
        else:
            result = is_complete(msg["code"])
    except Exception as e:
        result = None
        send({"op": "log", "level": "error", "msg": "python runner: %s query failed: %s" % (kind, _safe_str(e))})
    send({"op": "query_reply", "seq": msg["seq"], "result": result})


OPS = {"exec": op_exec, "analyze": op_analyze, "set": op_set, "del": op_del, "ping": op_ping, "query": op_query}


def main():
    sys.stdout = sys.__stdout__ = OUT
    sys.stderr = sys.__stderr__ = ERR
    sys.argv = [NOTEBOOK]
    # Cells import modules from the notebook's folder, not from the runner's.
    if sys.path and os.path.abspath(sys.path[0] or ".") == os.path.dirname(RUNNER_FILE):
        sys.path.pop(0)
    sys.path.insert(0, os.getcwd())
    sys.modules["__main__"] = MAIN
    builtins.display = display
    builtins.__kk_magic = _Magic
    signal.signal(signal.SIGINT, _on_sigint)
    sys.addaudithook(_audit)
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(before=_flush_all, after_in_child=_after_fork)
    threading.Thread(target=_background, name="kernelkit-output", daemon=True).start()
    send({"op": "ready", "pid": os.getpid(), "version": sys.version.split()[0], "executable": sys.executable})
    while True:
        try:
            msg = _next_message()
            if msg is None or msg.get("op") == "shutdown":
                break
            handler = OPS.get(msg.get("op"))
            if handler is not None:
                handler(msg)
        except KeyboardInterrupt:
            # Only possible in the instants around a cell; its reply must still go out.
            S.running = False
            if S.seq is not None:
                _done(S.seq, "interrupted", error={"kind": "interrupt", "ename": "KeyboardInterrupt", "evalue": "", "traceback": []})
        except Exception as e:
            seq = S.seq
            S.running = False
            detail = "%s: %s" % (type(e).__name__, _safe_str(e))
            if seq is not None:
                _done(seq, "error", error={"kind": "internal", "ename": "KernelkitInternalError", "evalue": detail, "traceback": []})
            else:
                send({"op": "log", "level": "error", "msg": "python runner: " + detail})
    _flush_all()


if __name__ == "__main__":
    main()
