//! Tests of `ferry completions` and `ferry man`.

use crate::util::{Sandbox, stderr, stdout};

#[test]
fn completions_bash_is_a_script_bash_accepts() {
    let sandbox = Sandbox::new();
    let output = sandbox.ferry().args(["completions", "bash"]).output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let script = stdout(&output);
    assert!(script.contains("complete -F"), "{script}");
    assert!(script.contains("inspect"), "the verbs are offered: {script}");
    let path = sandbox.write("ferry.bash", &script);
    let check = std::process::Command::new("bash").arg("-n").arg(&path).output().unwrap();
    assert!(check.status.success(), "bash -n: {}", String::from_utf8_lossy(&check.stderr));
}

#[test]
fn completions_cover_every_shell() {
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        let output = Sandbox::new().ferry().args(["completions", shell]).output().unwrap();
        assert!(output.status.success(), "{shell}: {}", stderr(&output));
        assert!(stdout(&output).contains("ferry"), "{shell}");
    }
}

#[test]
fn completions_of_an_unknown_shell_is_a_usage_error() {
    let output = Sandbox::new().ferry().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("bash"), "the shells are listed: {}", stderr(&output));
}

#[test]
fn man_prints_a_roff_page() {
    let output = Sandbox::new().ferry().arg("man").output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let page = stdout(&output);
    assert!(page.starts_with(".ie") || page.contains("\n.TH ") || page.starts_with(".TH "), "{page}");
    assert!(page.contains(".TH ferry"), "{page}");
    assert!(page.contains("completions"), "the verbs are listed: {page}");
}
