//! Helpers shared by the sandbox's HTTP tests.

use axum::Router;
use tokio::net::TcpListener;

/// Serves `router` on an ephemeral loopback port for the rest of the test's
/// runtime and returns its base URL, such as `http://127.0.0.1:41234`.
pub(crate) async fn serve(router: Router) -> String {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binding a loopback port failed");
    let addr = listener
        .local_addr()
        .expect("the listener has no local address");
    tokio::spawn(async move {
        axum::serve(listener, router)
            .await
            .expect("the test server failed");
    });
    format!("http://{addr}")
}
