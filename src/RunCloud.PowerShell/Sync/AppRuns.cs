using System;
using System.Collections.Generic;
using System.Threading;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.State;

namespace RunCloud.PowerShell.Sync
{
    /// <summary>
    /// The per-app lock and journal for commands that touch several apps over a pipeline (Add-/Remove-RunCloudDomain
    /// -ResetSsl, Reset-RunCloudSsl). <see cref="Enter"/> takes the app's lock on first touch (held until Dispose) and
    /// returns the journal a previous run left, once, so the command can say it finishes it. <see cref="OweSsl"/>
    /// records an owed redeploy BEFORE the change it follows from; <see cref="SslDone"/> clears it after success.
    /// </summary>
    internal sealed class AppRuns : IDisposable
    {
        private readonly JournalStore _store;
        private readonly string _command;
        private readonly TimeSpan _timeout;
        private readonly CancellationToken _ct;
        private readonly Dictionary<AppStateKey, Entry> _apps = new Dictionary<AppStateKey, Entry>();

        public AppRuns(JournalStore store, string command, TimeSpan timeout, CancellationToken ct)
        {
            _store = store;
            _command = command;
            _timeout = timeout;
            _ct = ct;
        }

        /// <summary>Locks the app (first time only) and returns what a previous run left owed, or null (also on later calls).</summary>
        /// <param name="key">The app (StateKeys.For in the Commands layer).</param>
        /// <param name="baseUri">The API root, recorded in a new journal for a human reader.</param>
        public AppJournal? Enter(AppStateKey key, string baseUri)
        {
            if (_apps.ContainsKey(key)) return null;
            AppLock appLock = _store.Lock(key, _timeout, _ct, _command);
            AppJournal? journal;
            try
            {
                journal = _store.Load(key);
            }
            catch
            {
                appLock.Dispose();
                throw;
            }

            _apps[key] = new Entry(appLock, journal, baseUri);
            return journal != null && journal.HasOwedWork ? journal : null;
        }

        /// <summary>The app's current journal (after <see cref="Enter"/>), or null when nothing is owed.</summary>
        public AppJournal? Journal(AppStateKey key) => _apps.TryGetValue(key, out Entry? e) ? e.Journal : null;

        /// <summary>The app's journal, created (not yet saved) when none exists: the SSL strategy records its "ssl" extension into it.</summary>
        public AppJournal OpenJournal(AppStateKey key)
        {
            Entry e = Require(key);
            return e.Journal ??= AppJournal.For(key, e.BaseUri, DateTime.UtcNow);
        }

        /// <summary>Saves the app's journal as it is (deleted when empty).</summary>
        public void Save(AppStateKey key)
        {
            Entry e = Require(key);
            if (e.Journal == null) return;
            _store.Save(key, e.Journal, DateTime.UtcNow);
            if (e.Journal.IsEmpty) e.Journal = null;
        }

        /// <summary>Before a change: the certificate will need a redeploy (and, when known, must cover <paramref name="domain"/>).</summary>
        public void OweSsl(AppStateKey key, string reason, RunCloudDomain? domain = null)
        {
            Entry e = Require(key);
            e.Journal ??= AppJournal.For(key, e.BaseUri, DateTime.UtcNow);
            e.Journal.WrittenBy = _command;
            e.Journal.OweSslRedeploy(reason);
            if (domain != null && domain.Id > 0 && !e.Journal.SslDomains.Exists(d => d.Id == domain.Id))
            {
                e.Journal.SslDomains.Add(new JournalDomain { Id = domain.Id, Name = domain.Name });
            }

            _store.Save(key, e.Journal, DateTime.UtcNow);
        }

        /// <summary>A certificate reinstall is owed (the app was left without one): <paramref name="settings"/> are the install's non-secret settings.</summary>
        public void OweReinstall(AppStateKey key, Newtonsoft.Json.Linq.JObject? settings)
        {
            Entry e = Require(key);
            e.Journal ??= AppJournal.For(key, e.BaseUri, DateTime.UtcNow);
            e.Journal.WrittenBy = _command;
            e.Journal.SslReinstall = settings ?? new Newtonsoft.Json.Linq.JObject();
            _store.Save(key, e.Journal, DateTime.UtcNow);
        }

        /// <summary>The certificate covers the app again: clears the owed redeploy/reinstall.</summary>
        public void SslDone(AppStateKey key)
        {
            Entry e = Require(key);
            if (e.Journal == null) return;
            e.Journal.SslRedeployPending = false;
            e.Journal.SslReason = null;
            e.Journal.SslDomains.Clear();
            e.Journal.SslReinstall = null;
            _store.Save(key, e.Journal, DateTime.UtcNow);
            if (e.Journal.IsEmpty) e.Journal = null;
        }

        public void Dispose()
        {
            foreach (Entry e in _apps.Values) e.Lock.Dispose();
            _apps.Clear();
        }

        private Entry Require(AppStateKey key) =>
            _apps.TryGetValue(key, out Entry? e) ? e : throw new InvalidOperationException("AppRuns: Enter the app before recording work on it.");

        private sealed class Entry
        {
            public Entry(AppLock appLock, AppJournal? journal, string baseUri)
            {
                Lock = appLock;
                Journal = journal;
                BaseUri = baseUri;
            }

            public AppLock Lock { get; }

            public AppJournal? Journal { get; set; }

            public string BaseUri { get; }
        }
    }
}
