//! The one way a file's rows are staged: a second thread reads them and
//! converts them on the worker pool, a batch at a time (rayon keeps their
//! order), while the calling thread — the one that holds the transaction —
//! writes each batch, in order. Converting is the dearer half, and both cores
//! work.

use ferry_mapper::read::{Row, Table};
use rayon::prelude::*;

use super::Stop;
use crate::Error;

/// Rows per batch handed from the converting thread to the writing one.
pub(super) const BATCH: usize = 512;

/// Runs every row of `table` through `prepare` (in parallel) and hands the
/// results to `write` in batches, in the rows' order. A row that cannot be
/// read stops the file with its error.
pub(super) fn run<T, P, W>(table: Table, prepare: P, mut write: W) -> Result<(), Stop>
where
    T: Send,
    P: Fn(Row) -> T + Sync,
    W: FnMut(&mut Vec<T>) -> Result<(), Stop>,
{
    std::thread::scope(|scope| {
        let (sender, receiver) = std::sync::mpsc::sync_channel::<Result<Vec<T>, ferry_mapper::Error>>(4);
        // Written batches come back to be freed by the thread that made
        // them: freeing another thread's allocations is the dear kind of free.
        let (done_sender, done) = std::sync::mpsc::channel::<Vec<T>>();
        let prepare = &prepare;
        scope.spawn(move || {
            let convert = |rows: &mut Vec<Row>| -> Vec<T> { rows.par_drain(..).map(prepare).collect() };
            let mut rows = Vec::with_capacity(BATCH);
            for row in table {
                let row = match row {
                    Ok(row) => row,
                    Err(e) => {
                        let _ = sender.send(Err(e));
                        return;
                    }
                };
                rows.push(row);
                if rows.len() == BATCH {
                    if sender.send(Ok(convert(&mut rows))).is_err() {
                        return; // the writer stopped
                    }
                    while let Ok(written) = done.try_recv() {
                        drop(written);
                    }
                }
            }
            if !rows.is_empty() {
                let _ = sender.send(Ok(convert(&mut rows)));
            }
        });
        for message in receiver {
            let mut batch = message.map_err(|e| Stop::Package(Error::from_table(e)))?;
            write(&mut batch)?;
            let _ = done_sender.send(batch);
        }
        Ok(())
    })
}
