// The saved checkpoint: one slot in IndexedDB that survives reloads until the user removes it.

export interface SavedCheckpoint {
  /** Safetensors bytes, exactly what Download gives. */
  bytes: Uint8Array;
  name: string;
  model: string;
  step: number;
  round: number;
  /** GeoMean of the last evaluation, when there was one. */
  geomean?: number;
  savedAt: number;
}

const DB = 'seq2seq-webgpu-demo';
const STORE = 'checkpoints';
const KEY = 'saved';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === 'undefined') {
      reject(new Error('This browser has no IndexedDB, so checkpoints cannot be kept across reloads.'));
      return;
    }
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB could not be opened.'));
  });
}

async function withStore<T>(mode: IDBTransactionMode, body: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const req = body(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed.'));
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction was aborted (is the disk full?).'));
    });
  } finally {
    db.close();
  }
}

export async function saveCheckpoint(c: SavedCheckpoint): Promise<void> {
  await withStore('readwrite', (s) => s.put(c, KEY));
}

export async function loadSaved(): Promise<SavedCheckpoint | null> {
  const got = await withStore<SavedCheckpoint | undefined>('readonly', (s) => s.get(KEY));
  return got ?? null;
}

export async function removeSaved(): Promise<void> {
  await withStore('readwrite', (s) => s.delete(KEY));
}
