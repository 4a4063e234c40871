//! A minimal SMTP receiver on a free local port for the e-mail tests: it answers the SMTP dialogue and
//! hands over each message's envelope and data; recipients for whom `refuse` is true get a permanent
//! "550 no such user" at RCPT TO, as a real server answers an unknown mailbox.

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// A message as received: the envelope lines (MAIL FROM, RCPT TO) and the data.
pub type Received = (Vec<String>, String);

/// A receiver taking every message: its `smtp://` URL and the messages it receives.
pub async fn receiver() -> (String, tokio::sync::mpsc::UnboundedReceiver<Received>) {
    receiver_refusing(|_| false).await
}

/// A receiver refusing the recipients `refuse` names.
pub async fn receiver_refusing(refuse: fn(&str) -> bool) -> (String, tokio::sync::mpsc::UnboundedReceiver<Received>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a local port");
    let url = format!("smtp://{}", listener.local_addr().expect("address"));
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let tx = tx.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                let _ = write.write_all(b"220 veza-test ESMTP\r\n").await;
                let (mut envelope, mut data, mut in_data) = (Vec::new(), String::new(), false);
                while let Ok(Some(line)) = lines.next_line().await {
                    if in_data {
                        if line == "." {
                            in_data = false;
                            let _ = tx.send((std::mem::take(&mut envelope), std::mem::take(&mut data)));
                            let _ = write.write_all(b"250 queued\r\n").await;
                        } else {
                            data.push_str(&line);
                            data.push('\n');
                        }
                        continue;
                    }
                    let upper = line.to_ascii_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                        b"250-veza-test\r\n250 8BITMIME\r\n"
                    } else if upper.starts_with("RCPT TO") && refuse(&line) {
                        b"550 5.1.1 no such user\r\n"
                    } else if upper.starts_with("MAIL FROM") || upper.starts_with("RCPT TO") {
                        envelope.push(line.clone());
                        b"250 ok\r\n"
                    } else if upper.starts_with("DATA") {
                        in_data = true;
                        b"354 go ahead\r\n"
                    } else if upper.starts_with("RSET") {
                        envelope.clear();
                        b"250 ok\r\n"
                    } else if upper.starts_with("QUIT") {
                        let _ = write.write_all(b"221 bye\r\n").await;
                        break;
                    } else {
                        b"250 ok\r\n"
                    };
                    let _ = write.write_all(reply).await;
                }
            });
        }
    });
    (url, rx)
}
