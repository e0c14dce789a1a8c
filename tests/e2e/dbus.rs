//! The session bus as a test sees it: a `dbus-monitor` that records the desktop notifications
//! sent on the bus, a notification server that answers, and private buses for the failure
//! cases (one without any notification server).
//!
//! Every process started here is a child killed when its guard drops. Nothing here skips: a
//! missing prerequisite fails the test and says how to provide it.

use std::env;
use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The match rule of the notifications' `Notify` calls (as in docs and platform notes).
pub const NOTIFY_RULE: &str = "interface='org.freedesktop.Notifications',member='Notify'";

/// The session bus this process talks to; fails the test with instructions if there is none.
pub fn require_session_bus() -> String {
    match env::var("DBUS_SESSION_BUS_ADDRESS") {
        Ok(a) if !a.is_empty() => a,
        _ => panic!(
            "DBUS_SESSION_BUS_ADDRESS is not set: run under a private session bus with a display, \
             e.g. `xvfb-run -a dbus-run-session -- cargo test --workspace --test e2e -- \
             --test-threads=1` (Debian packages xvfb, dbus), or use scripts/test-all.sh"
        ),
    }
}

/// A tool from PATH, or a failed test naming the Debian package that provides it.
pub fn require_tool(name: &str, package: &str) -> PathBuf {
    let path = env::var_os("PATH").unwrap_or_default();
    env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!("{name} not found in PATH: install the Debian package {package} (see .ci/run)")
        })
}

/// A child process killed (and reaped) when this guard drops.
pub struct ChildGuard {
    pub child: Child,
    pub what: String,
}

impl ChildGuard {
    pub fn new(child: Child, what: impl Into<String>) -> ChildGuard {
        ChildGuard {
            child,
            what: what.into(),
        }
    }

    /// Fail if the process already exited (it was supposed to keep running).
    pub fn check_running(&mut self) -> Result<(), String> {
        match self.child.try_wait() {
            Ok(Some(status)) => Err(format!("{} exited early with {status}", self.what)),
            Ok(None) => Ok(()),
            Err(e) => Err(format!("cannot check on {}: {e}", self.what)),
        }
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Poll `probe` every 50 ms until it yields a value or `timeout` passes.
pub fn poll<T>(timeout: Duration, mut probe: impl FnMut() -> Option<T>) -> Option<T> {
    let start = Instant::now();
    loop {
        if let Some(v) = probe() {
            return Some(v);
        }
        if start.elapsed() >= timeout {
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// One `Notify` call as dbus-monitor printed it.
#[derive(Debug, Clone)]
pub struct NotifyCall {
    pub serial: Option<u32>,
    /// The unique name of the connection that sent the call.
    pub sender: String,
    /// As the sender addressed it: `org.freedesktop.Notifications` (zbus) or the owner's unique
    /// name (GDBus resolves it first).
    pub destination: String,
    pub app_name: String,
    pub summary: String,
    pub body: String,
    /// The `urgency` hint: 0 low, 1 normal, 2 critical.
    pub urgency: Option<u8>,
    pub actions: Vec<String>,
    pub raw: String,
}

/// One message as dbus-monitor printed it: the header line and its argument lines.
#[derive(Debug, Clone)]
pub struct Message {
    pub header: String,
    pub args: Vec<String>,
}

impl Message {
    fn field(&self, name: &str) -> Option<&str> {
        self.header
            .split(|c: char| c == ' ' || c == ';')
            .find_map(|w| w.strip_prefix(name)?.strip_prefix('='))
    }

    pub fn is_method_call(&self, member: &str) -> bool {
        self.header.starts_with("method call ") && self.field("member") == Some(member)
    }

    pub fn serial(&self) -> Option<u32> {
        self.field("serial")?.parse().ok()
    }

    pub fn reply_serial(&self) -> Option<u32> {
        self.field("reply_serial")?.parse().ok()
    }

    pub fn sender(&self) -> Option<&str> {
        self.field("sender")
    }

    pub fn destination(&self) -> Option<&str> {
        self.field("destination")
    }

    /// The top-level arguments (indented by three spaces), nested lines folded into them.
    fn top_level_args(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for line in &self.args {
            // A closing bracket at the top indentation ends the argument above it.
            let closing = matches!(line.trim_start().chars().next(), Some(']' | ')' | '}'));
            let top = line.starts_with("   ") && !line.starts_with("    ") && !closing;
            if top || out.is_empty() {
                out.push(line.trim().to_string());
            } else if let Some(last) = out.last_mut() {
                last.push('\n');
                last.push_str(line.trim());
            }
        }
        out
    }

    /// Read as a `Notify(app_name, replaces_id, icon, summary, body, actions, hints, timeout)`.
    pub fn as_notify(&self) -> Option<NotifyCall> {
        if !self.is_method_call("Notify") {
            return None;
        }
        let args = self.top_level_args();
        let string_arg = |i: usize| -> Option<String> {
            let a = args.get(i)?;
            let s = a.strip_prefix("string \"")?;
            Some(s.strip_suffix('"').unwrap_or(s).to_string())
        };
        let actions = args
            .get(5)
            .map(|a| {
                a.lines()
                    .filter_map(|l| l.trim().strip_prefix("string \""))
                    .map(|s| s.trim_end_matches('"').to_string())
                    .collect()
            })
            .unwrap_or_default();
        let urgency = args.get(6).and_then(|hints| {
            let lines: Vec<&str> = hints.lines().collect();
            let at = lines
                .iter()
                .position(|l| l.contains("string \"urgency\""))?;
            lines[at + 1..]
                .iter()
                .find_map(|l| l.split("byte ").nth(1))
                .and_then(|b| b.trim().parse().ok())
        });
        Some(NotifyCall {
            serial: self.serial(),
            sender: self.sender().unwrap_or_default().to_string(),
            destination: self.destination().unwrap_or_default().to_string(),
            app_name: string_arg(0)?,
            summary: string_arg(3)?,
            body: string_arg(4)?,
            urgency,
            actions,
            raw: format!("{}\n{}", self.header, self.args.join("\n")),
        })
    }
}

/// Split dbus-monitor's output into messages (a header line, then indented arguments).
pub fn parse_messages(text: &str) -> Vec<Message> {
    let mut out: Vec<Message> = Vec::new();
    for line in text.lines() {
        let is_header = ["method call ", "method return ", "signal ", "error "]
            .iter()
            .any(|p| line.starts_with(p));
        if is_header {
            out.push(Message {
                header: line.to_string(),
                args: Vec::new(),
            });
        } else if let Some(m) = out.last_mut() {
            if line.starts_with(' ') {
                m.args.push(line.to_string());
            }
        }
    }
    out
}

/// `dbus-monitor --session <rules>`, its output collected as it comes; killed on drop.
pub struct DbusMonitor {
    guard: ChildGuard,
    out: Arc<Mutex<String>>,
    reader: Option<JoinHandle<()>>,
    stderr_path: PathBuf,
    /// Where the whole capture is written when the monitor drops (evidence for a failure).
    pub log_path: PathBuf,
}

/// A signal only the readiness probe sends, so the monitor can be seen to be listening.
const PING_INTERFACE: &str = "org.incidentdesk.Test";
const PING_RULE: &str = "type='signal',interface='org.incidentdesk.Test',member='Ping'";

impl DbusMonitor {
    /// Start monitoring the session bus with these match rules (plus a probe rule), and return
    /// once the monitor is seen to receive messages. `log_dir` keeps its output.
    pub fn start(rules: &[&str], log_dir: &Path, label: &str) -> DbusMonitor {
        require_session_bus();
        let monitor = require_tool("dbus-monitor", "dbus (dbus-bin)");
        let dbus_send = require_tool("dbus-send", "dbus (dbus-bin)");
        fs::create_dir_all(log_dir).expect("create the monitor's log folder");
        let stderr_path = log_dir.join(format!("{label}-dbus-monitor.stderr"));
        let log_path = log_dir.join(format!("{label}-dbus-monitor.log"));
        let stderr = fs::File::create(&stderr_path).expect("create the monitor's stderr file");
        let mut cmd = Command::new(&monitor);
        cmd.arg("--session");
        for r in rules.iter().copied().chain([PING_RULE]) {
            cmd.arg(r);
        }
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(stderr))
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", monitor.display()));
        let stdout = child.stdout.take().expect("piped stdout");
        let out = Arc::new(Mutex::new(String::new()));
        let sink = out.clone();
        let reader = std::thread::Builder::new()
            .name("dbus-monitor-reader".into())
            .spawn(move || {
                let mut r = BufReader::new(stdout);
                let mut line = String::new();
                loop {
                    line.clear();
                    match r.read_line(&mut line) {
                        Ok(0) | Err(_) => break,
                        Ok(_) => sink
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .push_str(&line),
                    }
                }
            })
            .expect("spawn the monitor's reader thread");
        let mut m = DbusMonitor {
            guard: ChildGuard::new(child, "dbus-monitor"),
            out,
            reader: Some(reader),
            stderr_path,
            log_path,
        };

        // Ready when a probe signal sent after the start comes back through the monitor
        // (no fixed sleep: a ping every 200 ms until one is seen, for at most 10 s).
        let start = Instant::now();
        let mut n = 0u32;
        loop {
            if let Err(e) = m.guard.check_running() {
                panic!("{e}; its stderr:\n{}", m.stderr());
            }
            n += 1;
            let token = format!("incident-desk-monitor-ready-{}-{n}", std::process::id());
            let _ = Command::new(&dbus_send)
                .args([
                    "--session",
                    "--type=signal",
                    "/org/incidentdesk/Test",
                    &format!("{PING_INTERFACE}.Ping"),
                    &format!("string:{token}"),
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
            let seen = poll(Duration::from_millis(200), || {
                m.text().contains(&token).then_some(())
            });
            if seen.is_some() {
                break;
            }
            if start.elapsed() > Duration::from_secs(10) {
                panic!(
                    "dbus-monitor did not receive its probe signal within 10 s; its output:\n{}\nits stderr:\n{}",
                    m.text(),
                    m.stderr()
                );
            }
        }
        m
    }

    /// Everything captured so far.
    pub fn text(&self) -> String {
        self.out.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn stderr(&self) -> String {
        fs::read_to_string(&self.stderr_path).unwrap_or_default()
    }

    pub fn messages(&self) -> Vec<Message> {
        parse_messages(&self.text())
    }

    pub fn notify_calls(&self) -> Vec<NotifyCall> {
        self.messages()
            .iter()
            .filter_map(Message::as_notify)
            .collect()
    }

    /// Wait until a `Notify` call matching `pred` is captured; on timeout the message lists
    /// every call seen.
    pub fn wait_for_notify(
        &self,
        timeout: Duration,
        what: &str,
        pred: impl Fn(&NotifyCall) -> bool,
    ) -> NotifyCall {
        match poll(timeout, || {
            self.notify_calls().into_iter().find(|c| pred(c))
        }) {
            Some(c) => c,
            None => {
                let seen: Vec<String> = self
                    .notify_calls()
                    .iter()
                    .map(|c| format!("{:?} / {:?} / {:?}", c.app_name, c.summary, c.body))
                    .collect();
                panic!(
                    "timed out after {:.0}s waiting for a Notify call on the session bus: {what}; \
                     Notify calls seen (app / summary / body): {seen:#?}; the whole capture is in {}",
                    timeout.as_secs_f64(),
                    self.save()
                );
            }
        }
    }

    /// Write the capture to `log_path`; returns the path for messages.
    pub fn save(&self) -> String {
        let _ = fs::write(&self.log_path, self.text());
        self.log_path.display().to_string()
    }
}

impl Drop for DbusMonitor {
    fn drop(&mut self) {
        let _ = self.guard.child.kill();
        let _ = self.guard.child.wait();
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
        self.save();
    }
}

/// Make sure something answers `org.freedesktop.Notifications` on the session bus. The first
/// call D-Bus-activates dunst (its service file needs DISPLAY in the bus's environment); if
/// nothing answers, start dunst ourselves (the returned guard stops it). Returns the server's
/// name and vendor.
pub fn ensure_notification_server(log_dir: &Path) -> (String, Option<ChildGuard>) {
    require_session_bus();
    let ask = || {
        notify_rust::get_server_information()
            .map(|i| format!("{} ({}) {}", i.name, i.vendor, i.version))
            .map_err(|e| e.to_string())
    };
    // The bus activates the server inside this call and answers when it is up (or when its
    // activation failed), so one call settles it.
    let last = match ask() {
        Ok(info) => return (info, None),
        Err(e) => e,
    };
    eprintln!("no notification server answered ({last}): starting dunst");
    if env::var_os("DISPLAY").map_or(true, |d| d.is_empty()) {
        panic!(
            "no notification server answers on the session bus ({last}) and DISPLAY is not set, \
             so dunst cannot run: use `xvfb-run -a dbus-run-session -- …` (scripts/test-all.sh does)"
        );
    }
    let dunst = require_tool("dunst", "dunst");
    let log = fs::File::create(log_dir.join("dunst.log")).expect("create dunst's log");
    let child = Command::new(&dunst)
        .stdin(Stdio::null())
        .stdout(Stdio::from(log.try_clone().expect("clone log handle")))
        .stderr(Stdio::from(log))
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", dunst.display()));
    let mut guard = ChildGuard::new(child, "dunst");
    let info = poll(Duration::from_secs(10), || {
        if guard.check_running().is_err() {
            return Some(Err(()));
        }
        ask().ok().map(Ok)
    });
    match info {
        Some(Ok(i)) => (i, Some(guard)),
        _ => {
            let mut log = String::new();
            let _ = fs::File::open(log_dir.join("dunst.log"))
                .and_then(|mut f| f.read_to_string(&mut log));
            panic!(
                "no notification server answers on the session bus (D-Bus activation: {last}), \
                 and dunst started by the test did not answer within 10 s either; dunst's log:\n{log}"
            )
        }
    }
}

/// The unique name that owns `name` on the session bus right now (asked with dbus-send).
pub fn name_owner(name: &str) -> Result<String, String> {
    let dbus_send = require_tool("dbus-send", "dbus (dbus-bin)");
    let out = Command::new(&dbus_send)
        .args([
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.GetNameOwner",
            &format!("string:{name}"),
        ])
        .output()
        .map_err(|e| format!("cannot run dbus-send: {e}"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("string \"")
                .map(|s| s.trim_end_matches('"').to_string())
        })
        .ok_or_else(|| {
            format!(
                "unreadable GetNameOwner reply: {}",
                String::from_utf8_lossy(&out.stdout)
            )
        })
}

/// Every name on the session bus right now (asked with dbus-send); empty without a bus.
pub fn bus_names() -> Vec<String> {
    let Ok(out) = Command::new("dbus-send")
        .args([
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.ListNames",
        ])
        .output()
    else {
        return Vec::new();
    };
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            l.trim()
                .strip_prefix("string \"")
                .map(|s| s.trim_end_matches('"').to_string())
        })
        .collect()
}

/// A private session bus with no notification server and no service activation at all: a
/// desktop without a notification daemon. Killed on drop.
pub struct BareBus {
    _guard: ChildGuard,
    pub address: String,
    _dir: tempfile::TempDir,
}

impl BareBus {
    pub fn start() -> BareBus {
        let daemon = require_tool("dbus-daemon", "dbus (dbus-daemon)");
        let dir = tempfile::tempdir().expect("temp dir for the bare bus");
        let conf = dir.path().join("bus.conf");
        // No <servicedir> and no <standard_session_servicedirs/>: nothing can be activated.
        fs::write(
            &conf,
            format!(
                r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
                dir.path().display()
            ),
        )
        .expect("write the bare bus's configuration");
        let mut child = Command::new(&daemon)
            .arg(format!("--config-file={}", conf.display()))
            .args(["--nofork", "--print-address=1"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", daemon.display()));
        let stdout = child.stdout.take().expect("piped stdout");
        let guard = ChildGuard::new(child, "dbus-daemon (bare bus)");
        // The daemon prints its address once it listens: a blocking read is the wait.
        let mut address = String::new();
        BufReader::new(stdout)
            .read_line(&mut address)
            .expect("read the bare bus's address");
        let address = address.trim().to_string();
        assert!(
            address.starts_with("unix:"),
            "dbus-daemon printed no address: {address:?}"
        );
        BareBus {
            _guard: guard,
            address,
            _dir: dir,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"signal time=1.0 sender=org.freedesktop.DBus -> destination=:1.0 serial=2 path=/org/freedesktop/DBus; interface=org.freedesktop.DBus; member=NameAcquired
   string ":1.0"
method call time=2.0 sender=:1.1 -> destination=:1.2 serial=9 path=/org/freedesktop/Notifications; interface=org.freedesktop.Notifications; member=Notify
   string "Incident Desk"
   uint32 0
   string ""
   string "P1 INC-000042 response SLA breached"
   string "Body text"
   array [
      string "default"
      string "Open incident"
   ]
   array [
      dict entry(
         string "urgency"
         variant             byte 2
      )
   ]
   int32 -1
method return time=2.1 sender=:1.2 -> destination=:1.1 serial=4 reply_serial=9
   uint32 7
"#;

    #[test]
    fn a_notify_call_is_read_from_dbus_monitor_output() {
        let msgs = parse_messages(SAMPLE);
        assert_eq!(msgs.len(), 3);
        let calls: Vec<NotifyCall> = msgs.iter().filter_map(Message::as_notify).collect();
        assert_eq!(calls.len(), 1);
        let c = &calls[0];
        assert_eq!(c.app_name, "Incident Desk");
        assert_eq!(c.summary, "P1 INC-000042 response SLA breached");
        assert_eq!(c.body, "Body text");
        assert_eq!(c.urgency, Some(2));
        assert_eq!(c.actions, vec!["default", "Open incident"]);
        assert_eq!(c.serial, Some(9));
        assert_eq!(c.sender, ":1.1");
        assert_eq!(c.destination, ":1.2");
        let ret = &msgs[2];
        assert_eq!(ret.reply_serial(), Some(9));
        assert_eq!(ret.sender(), Some(":1.2"));
        assert_eq!(ret.args, vec!["   uint32 7"]);
    }
}
