//! A small W3C WebDriver client over plain HTTP, and the `tauri-driver` process it talks to.
//!
//! Only what the end-to-end tests need: sessions, finding elements by CSS, clicking, typing,
//! clearing, reading text and properties, screenshots. Every call returns a `WdError` that
//! carries the W3C error code, so callers can tell "not there yet" from "the app is gone".

use std::fmt;
use std::fs;
use std::io::Read;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// The key under which W3C WebDriver returns an element reference.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A failed WebDriver call: the W3C `error` code (or `http` / `protocol` for transport
/// problems) and the message.
#[derive(Debug, Clone)]
pub struct WdError {
    pub error: String,
    pub message: String,
}

impl WdError {
    fn new(error: impl Into<String>, message: impl Into<String>) -> Self {
        WdError {
            error: error.into(),
            message: message.into(),
        }
    }

    /// The session is gone (the app quit or crashed): waiting longer cannot help.
    pub fn is_fatal(&self) -> bool {
        matches!(
            self.error.as_str(),
            "invalid session id" | "session not created" | "http"
        )
    }
}

impl fmt::Display for WdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.message.is_empty() {
            write!(f, "{}", self.error)
        } else {
            write!(f, "{}: {}", self.error, self.message)
        }
    }
}

pub type WdResult<T> = Result<T, WdError>;

/// A running `tauri-driver` (which runs `WebKitWebDriver`, which runs the app).
///
/// It is started in its own process group; dropping it terminates the whole group (driver,
/// native driver, app and WebKit helpers) and waits for it, also when a test panics.
pub struct TauriDriver {
    child: Child,
    pub port: u16,
    pub log_path: PathBuf,
}

/// Where to find the programs, and the environment to give them.
pub struct DriverSetup<'a> {
    pub tauri_driver: &'a Path,
    pub native_driver: &'a Path,
    pub log_path: &'a Path,
    pub env: Vec<(String, String)>,
}

impl TauriDriver {
    pub fn start(setup: &DriverSetup<'_>) -> TauriDriver {
        let port = free_port();
        let mut native_port = free_port();
        while native_port == port {
            native_port = free_port();
        }
        let log = fs::File::create(setup.log_path)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", setup.log_path.display()));
        let log_err = log.try_clone().expect("clone log file handle");
        let mut cmd = Command::new(setup.tauri_driver);
        cmd.arg("--port")
            .arg(port.to_string())
            .arg("--native-port")
            .arg(native_port.to_string())
            .arg("--native-driver")
            .arg(setup.native_driver)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err)
            .process_group(0);
        for (k, v) in &setup.env {
            cmd.env(k, v);
        }
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", setup.tauri_driver.display()));
        let mut driver = TauriDriver {
            child,
            port,
            log_path: setup.log_path.to_path_buf(),
        };
        driver.wait_ready(Duration::from_secs(20));
        driver
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Poll `/status` until both tauri-driver and the native driver answer.
    fn wait_ready(&mut self, timeout: Duration) {
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(Duration::from_millis(500))
            .timeout_read(Duration::from_secs(2))
            .build();
        let url = format!("{}/status", self.base_url());
        let start = Instant::now();
        let mut last: String;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "tauri-driver exited with {status} before it was ready; its log ({}):\n{}",
                    self.log_path.display(),
                    self.log_tail()
                );
            }
            match agent.get(&url).call() {
                Ok(resp) => match resp.into_json::<Value>() {
                    Ok(v) if v["value"]["ready"].as_bool() == Some(true) => return,
                    Ok(v) => last = format!("status {v}"),
                    Err(e) => last = format!("unreadable status: {e}"),
                },
                Err(e) => last = e.to_string(),
            }
            if start.elapsed() > timeout {
                panic!(
                    "tauri-driver on port {} was not ready after {:?} (last: {last}); its log ({}):\n{}",
                    self.port,
                    timeout,
                    self.log_path.display(),
                    self.log_tail()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The last lines of the driver's log (driver, WebKitWebDriver and app output).
    pub fn log_tail(&self) -> String {
        let text = fs::read_to_string(&self.log_path).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        let from = lines.len().saturating_sub(40);
        lines[from..].join("\n")
    }

    pub fn pgid(&self) -> u32 {
        self.child.id()
    }

    /// Live (non-zombie) processes of the driver's process group, as (pid, command line).
    pub fn live_processes(&self) -> Vec<(u32, String)> {
        processes_in_group(self.pgid())
    }

    /// Terminate the process group politely, then forcibly; wait until nothing of it is left.
    pub fn stop(&mut self) {
        let pgid = self.pgid();
        signal_group("TERM", pgid);
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let _ = self.child.try_wait();
            if processes_in_group(pgid).is_empty() {
                break;
            }
            if Instant::now() > deadline {
                signal_group("KILL", pgid);
                let _ = self.child.kill();
                std::thread::sleep(Duration::from_millis(200));
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.wait();
    }
}

impl Drop for TauriDriver {
    fn drop(&mut self) {
        self.stop();
    }
}

fn signal_group(signal: &str, pgid: u32) {
    // std has no kill(2) for other signals than SIGKILL, and libc is not a dependency.
    let _ = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg("--")
        .arg(format!("-{pgid}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// Live processes whose process group is `pgid` (zombies excluded), from /proc.
pub fn processes_in_group(pgid: u32) -> Vec<(u32, String)> {
    let mut found = Vec::new();
    let Ok(entries) = fs::read_dir("/proc") else {
        return found;
    };
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(stat) = fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // pid (comm) state ppid pgrp ...; comm may contain spaces and parentheses.
        let Some(close) = stat.rfind(')') else {
            continue;
        };
        let fields: Vec<&str> = stat[close + 1..].split_whitespace().collect();
        if fields.len() < 3 || fields[0] == "Z" || fields[0] == "X" {
            continue;
        }
        if fields[2].parse::<u32>().ok() == Some(pgid) {
            let cmdline = fs::read(format!("/proc/{pid}/cmdline"))
                .map(|b| {
                    String::from_utf8_lossy(&b)
                        .replace('\0', " ")
                        .trim()
                        .to_string()
                })
                .unwrap_or_default();
            found.push((pid, cmdline));
        }
    }
    found
}

/// A free TCP port on the loopback interface (there is a small race until it is bound again).
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port on 127.0.0.1");
    listener.local_addr().expect("local address").port()
}

/// One WebDriver session. Deleting it quits the app.
pub struct Session {
    agent: ureq::Agent,
    base: String,
    pub id: String,
    deleted: bool,
}

impl Session {
    /// New session that starts `application` with `args` through tauri-driver.
    pub fn new(driver_url: &str, application: &Path, args: &[String]) -> WdResult<Session> {
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(Duration::from_secs(5))
            .timeout_read(Duration::from_secs(60))
            .timeout_write(Duration::from_secs(10))
            .build();
        let caps = json!({
            "capabilities": {
                "alwaysMatch": {
                    "tauri:options": {
                        "application": application,
                        "args": args,
                    }
                }
            }
        });
        let value = request(&agent, "POST", &format!("{driver_url}/session"), Some(caps))?;
        let id = value["sessionId"]
            .as_str()
            .ok_or_else(|| WdError::new("protocol", format!("no sessionId in {value}")))?
            .to_string();
        Ok(Session {
            agent,
            base: format!("{driver_url}/session/{id}"),
            id,
            deleted: false,
        })
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> WdResult<Value> {
        if self.deleted {
            return Err(WdError::new(
                "invalid session id",
                "the session was deleted",
            ));
        }
        request(&self.agent, method, &format!("{}{}", self.base, path), body)
    }

    /// All elements matching a CSS selector, in document order.
    pub fn find_all(&self, css: &str) -> WdResult<Vec<Element>> {
        let v = self.call(
            "POST",
            "/elements",
            Some(json!({"using": "css selector", "value": css})),
        )?;
        let list = v
            .as_array()
            .ok_or_else(|| WdError::new("protocol", format!("elements: not a list: {v}")))?;
        list.iter().map(element_from).collect()
    }

    /// The first element matching a CSS selector (`no such element` if none).
    pub fn find(&self, css: &str) -> WdResult<Element> {
        let v = self.call(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        )?;
        element_from(&v)
    }

    /// The first element matching a CSS selector inside `parent`, if any.
    pub fn find_in(&self, parent: &Element, css: &str) -> WdResult<Option<Element>> {
        let v = self.call(
            "POST",
            &format!("/element/{}/elements", parent.0),
            Some(json!({"using": "css selector", "value": css})),
        )?;
        match v.as_array().and_then(|a| a.first()) {
            Some(first) => Ok(Some(element_from(first)?)),
            None => Ok(None),
        }
    }

    pub fn click(&self, el: &Element) -> WdResult<()> {
        self.call("POST", &format!("/element/{}/click", el.0), Some(json!({})))?;
        Ok(())
    }

    pub fn clear(&self, el: &Element) -> WdResult<()> {
        self.call("POST", &format!("/element/{}/clear", el.0), Some(json!({})))?;
        Ok(())
    }

    pub fn send_keys(&self, el: &Element, text: &str) -> WdResult<()> {
        self.call(
            "POST",
            &format!("/element/{}/value", el.0),
            Some(json!({"text": text})),
        )?;
        Ok(())
    }

    /// The rendered text of an element (what a user reads): its `innerText`.
    ///
    /// Not Get Element Text: WebKitWebDriver's visibility atom treats the text of table cells
    /// with `overflow: hidden` (truncated with an ellipsis) as not displayed and drops it.
    pub fn text(&self, el: &Element) -> WdResult<String> {
        self.property(el, "innerText")
    }

    /// Whether the browser renders the element: not `display: none` (itself or an ancestor),
    /// not `visibility: hidden`, not fully transparent, and with a box.
    ///
    /// Not Is Element Displayed, which WebKitWebDriver answers `false` for table cells with
    /// `overflow: hidden`.
    pub fn is_rendered(&self, el: &Element) -> WdResult<bool> {
        let v = self.execute(
            "const e = arguments[0];\n\
             if (!e.isConnected || e.getClientRects().length === 0) return false;\n\
             if (typeof e.checkVisibility === 'function')\n\
               return e.checkVisibility({opacityProperty: true, visibilityProperty: true});\n\
             const cs = getComputedStyle(e);\n\
             return cs.visibility !== 'hidden' && cs.opacity !== '0';",
            vec![el.to_json()],
        )?;
        Ok(v.as_bool().unwrap_or(false))
    }

    /// Execute Script (synchronous); `args` may hold element references.
    pub fn execute(&self, script: &str, args: Vec<Value>) -> WdResult<Value> {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": args})),
        )
    }

    /// A DOM property, e.g. `value` of an input or select; `null` becomes "".
    pub fn property(&self, el: &Element, name: &str) -> WdResult<String> {
        let v = self.call("GET", &format!("/element/{}/property/{name}", el.0), None)?;
        Ok(match v {
            Value::Null => String::new(),
            Value::String(s) => s,
            other => other.to_string(),
        })
    }

    pub fn attribute(&self, el: &Element, name: &str) -> WdResult<Option<String>> {
        let v = self.call("GET", &format!("/element/{}/attribute/{name}", el.0), None)?;
        Ok(v.as_str().map(str::to_string))
    }

    pub fn is_enabled(&self, el: &Element) -> WdResult<bool> {
        let v = self.call("GET", &format!("/element/{}/enabled", el.0), None)?;
        Ok(v.as_bool().unwrap_or(false))
    }

    pub fn source(&self) -> WdResult<String> {
        let v = self.call("GET", "/source", None)?;
        Ok(v.as_str().unwrap_or_default().to_string())
    }

    /// A PNG of the window.
    pub fn screenshot(&self) -> WdResult<Vec<u8>> {
        let v = self.call("GET", "/screenshot", None)?;
        let b64 = v
            .as_str()
            .ok_or_else(|| WdError::new("protocol", "screenshot: not a string"))?;
        base64_decode(b64).map_err(|e| WdError::new("protocol", format!("screenshot: {e}")))
    }

    /// Delete the session: WebKitWebDriver closes the browser, i.e. the app quits.
    pub fn delete(&mut self) -> WdResult<()> {
        if self.deleted {
            return Ok(());
        }
        let result = request(&self.agent, "DELETE", &self.base, None).map(|_| ());
        self.deleted = true;
        result
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.delete();
    }
}

/// An element reference, valid until the UI re-renders that node.
#[derive(Debug, Clone)]
pub struct Element(pub String);

impl Element {
    /// The reference as a script argument.
    pub fn to_json(&self) -> Value {
        json!({ ELEMENT_KEY: self.0 })
    }
}

fn element_from(v: &Value) -> WdResult<Element> {
    v.get(ELEMENT_KEY)
        .and_then(Value::as_str)
        .map(|s| Element(s.to_string()))
        .ok_or_else(|| WdError::new("protocol", format!("not an element reference: {v}")))
}

/// One HTTP round trip; W3C errors become `WdError` with their `error` code.
fn request(agent: &ureq::Agent, method: &str, url: &str, body: Option<Value>) -> WdResult<Value> {
    let req = agent
        .request(method, url)
        .set("Content-Type", "application/json");
    let result = match body {
        Some(b) => req.send_json(b),
        None if method == "POST" => req.send_json(json!({})),
        None => req.call(),
    };
    match result {
        Ok(resp) => {
            let v: Value = resp
                .into_json()
                .map_err(|e| WdError::new("protocol", format!("{method} {url}: bad JSON: {e}")))?;
            Ok(v.get("value").cloned().unwrap_or(Value::Null))
        }
        Err(ureq::Error::Status(code, resp)) => {
            let mut text = String::new();
            let _ = resp.into_reader().take(1 << 20).read_to_string(&mut text);
            match serde_json::from_str::<Value>(&text) {
                Ok(v) => Err(WdError::new(
                    v["value"]["error"].as_str().unwrap_or("unknown error"),
                    v["value"]["message"].as_str().unwrap_or_default(),
                )),
                Err(_) => Err(WdError::new(
                    "protocol",
                    format!("{method} {url}: HTTP {code}: {text}"),
                )),
            }
        }
        Err(e) => Err(WdError::new("http", format!("{method} {url}: {e}"))),
    }
}

/// Standard base64 (with or without padding), as WebDriver sends screenshots.
pub fn base64_decode(input: &str) -> Result<Vec<u8>, String> {
    fn sextet(c: u8) -> Option<u32> {
        match c {
            b'A'..=b'Z' => Some((c - b'A') as u32),
            b'a'..=b'z' => Some((c - b'a') as u32 + 26),
            b'0'..=b'9' => Some((c - b'0') as u32 + 52),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        }
    }
    let mut out = Vec::with_capacity(input.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for &c in input.as_bytes() {
        if c == b'=' {
            break;
        }
        if c.is_ascii_whitespace() {
            continue;
        }
        let v = sextet(c).ok_or_else(|| format!("invalid base64 byte {c:#x}"))?;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::base64_decode;

    #[test]
    fn base64_decodes_padded_and_unpadded_text() {
        assert_eq!(base64_decode("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(base64_decode("aGVsbG8").unwrap(), b"hello");
        assert_eq!(base64_decode("aGk=").unwrap(), b"hi");
        assert_eq!(base64_decode("").unwrap(), b"");
        assert!(base64_decode("a*b").is_err());
    }
}
