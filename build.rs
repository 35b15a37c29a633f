// `sqlx::migrate!` embeds migrations/ at compile time; without this, a new migration file
// would not be picked up until something else changed (see `sqlx migrate build-script`).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
