//! Seed a database for the load benchmark (压测数据): the demo organisation and users
//! (`serve --demo`), then N stored forms in the demo unit, copies of the seed's three forms
//! with numbered project names, each scored by the engine and created through the `Store`
//! like any import.
//!
//!   cargo run --release -p jixiao-web --example seed -- DATABASE_URL N
//!
//! Used by `scripts/load-bench.sh`; prints the ids of a form to fetch.
use jixiao_core::Profile;
use jixiao_store::{DbUrl, SqlStore, Store};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(url), Some(n)) = (args.next(), args.next()) else {
        eprintln!("usage: seed DATABASE_URL N");
        std::process::exit(2);
    };
    let n: usize = n.parse()?;
    let store = Arc::new(SqlStore::connect(&DbUrl::new(url)).await?);
    let profile = Profile::default();
    jixiao_web::demo::seed(store.as_ref(), &profile).await?;
    let users = store.list_users().await?;
    let filler = users
        .iter()
        .find(|u| u.username == "filler")
        .ok_or("no demo filler")?;
    let org = filler.org_id.ok_or("the filler has no unit")?;
    let forms: Vec<_> = jixiao_formats::read_bytes(jixiao_web::demo::SEED)
        .forms
        .into_iter()
        .map(|f| f.evaluation)
        .collect();
    let start = std::time::Instant::now();
    let have = store.count_evaluations(&Default::default()).await? as usize;
    // A few writers at once (PostgreSQL takes them in parallel; SQLite serialises them).
    let workers = 4;
    let mut tasks = Vec::new();
    for w in 0..workers {
        let store = store.clone();
        let forms = forms.clone();
        let profile = profile.clone();
        let filler_id = filler.id;
        tasks.push(tokio::spawn(async move {
            let mut i = have + w;
            while i < n {
                let mut form = forms[i % forms.len()].clone();
                form.project = Some(format!("{}（{:05}）", form.project.unwrap_or_default(), i));
                let a = jixiao_core::assess(&form, &profile);
                let scored = jixiao_web::derived::scored(&form, &a, &profile);
                store
                    .create_evaluation(org, &form, &scored, filler_id)
                    .await?;
                i += workers;
            }
            Ok::<_, jixiao_store::StoreError>(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    let total = store.count_evaluations(&Default::default()).await?;
    eprintln!(
        "seed: {total} forms stored ({:.1} s)",
        start.elapsed().as_secs_f64()
    );
    let last = store
        .list_evaluations(&jixiao_store::ListFilter {
            limit: Some(1),
            ..Default::default()
        })
        .await?;
    println!("{}", last.first().map(|s| s.id).unwrap_or(1));
    Ok(())
}
