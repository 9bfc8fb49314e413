using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Session;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// Base of every cmdlet that calls RunCloud: the -Connection parameter, which connection a record uses (a piped
    /// object's own, else -Connection, else the default), its Api service, and the server and web app ids with their
    /// defaults. Nothing else: paging is <see cref="PagedListing"/>, errors <see cref="ErrorRecords"/>, changes the
    /// apply engine (<see cref="AppApply"/>).
    /// </summary>
    public abstract class RunCloudApiCmdlet : RunCloudCmdlet
    {
        /// <summary>
        /// After this command changed a web app's domains outside the sync engine (Add-, Remove-, Set-RunCloudDomain without
        /// -ResetSsl, Invoke-RunCloudRequest): the app's change marker, so the next Sync-RunCloudDomain does not trust what it
        /// recorded before and lists the app in full. A state folder that cannot be written is a warning, never a failure
        /// of the change itself.
        /// </summary>
        private protected void NoteChangedOutsideSync(IRunCloudConnection? connection, long serverId, long webAppId)
        {
            if (!(connection is RunCloudConnection c) || serverId <= 0 || webAppId <= 0) return;
            try
            {
                State.JournalStore.Default().MarkChangedOutside(StateKeys.For(c, serverId, webAppId), c.Clock.UtcNow);
            }
            catch (State.StateException ex)
            {
                WriteWarning($"The change to web app {webAppId} could not be noted for the next sync ({ex.Message}); that sync sees it at its next full check (Sync-RunCloudDomain -Full lists the app now).");
            }
        }

        /// <summary>
        /// The connection to use instead of the default one from Connect-RunCloud (so one script can use two accounts):
        /// the object, or the name given to Connect-RunCloud -Name.
        /// </summary>
        [Parameter]
        [ConnectionTransformation]
        [ArgumentCompleter(typeof(Completion.ConnectionNameCompleter))]
        public RunCloudConnection? Connection { get; set; }

        /// <summary>
        /// The connection for an object that came down the pipeline: its own, unless -Connection names another
        /// account, which is an error before any request (it would act on a same-named item of the wrong account).
        /// </summary>
        private protected RunCloudConnection ResolveConnectionFor(IRunCloudObject item, object target)
        {
            IRunCloudConnection? own = (item as IConnectionBound)?.Connection;
            if (own != null && Connection != null && !ReferenceEquals(own, Connection))
            {
                ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.ConnectionMismatch,
                    $"The piped object {target} was read through the connection {own}, but -Connection is {Connection}. Nothing was sent. "
                    + "Drop -Connection (the object's own connection is used), or read the object through the connection you mean.", target));
            }

            return own as RunCloudConnection ?? ResolveConnection();
        }

        private RunCloudConnection? _resolved;
        private RunCloudService? _service;
        private RunCloudConnection? _serviceConnection;

        /// <summary>
        /// The one step every API cmdlet shares (PSOpenAD's ProcessRecordWithSession pattern): resolve the connection
        /// once per invocation, then hand it and its Api service on. Cmdlets override
        /// <see cref="ProcessRecordWithConnection"/> instead of repeating the lookup in each ProcessRecord.
        /// </summary>
        protected override void ProcessRecord()
        {
            RefusePlan(PipedPlan);
            IRunCloudObject? piped = PipedObject;
            if (piped != null)
            {
                string? why = CannotTake(piped);
                if (why != null) ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput, why + " Nothing was sent.", piped));
                if ((piped as IConnectionBound)?.Connection is RunCloudConnection)
                {
                    // A piped object is worked on through its own connection (a different -Connection is an error before any request).
                    RunCloudConnection own = ResolveConnectionFor(piped, piped);
                    ProcessRecordWithConnection(own, ServiceFor(own));
                    return;
                }
            }

            RunCloudConnection connection = ResolveConnection();
            ProcessRecordWithConnection(connection, ServiceFor(connection));
        }

        /// <summary>
        /// The module object (server, web app, domain, certificate) piped to this record, when the cmdlet takes them (it
        /// declares a hidden ValueFromPipeline parameter for it); its ids bind by property name, its connection is used.
        /// </summary>
        private protected virtual IRunCloudObject? PipedObject => null;

        /// <summary>A sync plan piped to this record (the cmdlet declares a hidden parameter to catch it): refused.</summary>
        private protected virtual RunCloudSyncPlan? PipedPlan => null;

        /// <summary>Why this cmdlet cannot take <paramref name="piped"/> (it would bind to something it is not); null: it takes it.</summary>
        private protected virtual string? CannotTake(IRunCloudObject piped) => null;



        /// <summary>Per input record, with the resolved connection and its Api service.</summary>
        private protected virtual void ProcessRecordWithConnection(RunCloudConnection connection, RunCloudService service)
        {
        }

        /// <summary>The Api service of the resolved connection, made once per invocation.</summary>
        internal RunCloudService ServiceFor(RunCloudConnection connection)
        {
            if (_service == null || !ReferenceEquals(_serviceConnection, connection))
            {
                _service = connection.CreateService(Log);
                _serviceConnection = connection;
            }

            return _service;
        }

        /// <summary>-Connection, else this runspace's default; resolved once per invocation. Not connected stops the command.</summary>
        private protected RunCloudConnection ResolveConnection()
        {
            if (_resolved != null) return _resolved;
            RunCloudConnection? connection = Connection ?? RunCloudSession.Current;
            if (connection == null)
            {
                var named = ConnectionRegistry.Names();
                string message = "Not connected to RunCloud. Run Connect-RunCloud first (or pass -Connection)."
                    + (named.Count > 0 ? $" Named connections are open ({string.Join(", ", named)}): pass -Connection <name>." : string.Empty);
                ThrowTerminatingError(ErrorRecords.NotConnected(message, "Connect-RunCloud -Token (Read-Host -AsSecureString 'API token') -ServerId <id> -WebAppId <id>"));
            }

            RedactSecretsOf(connection!);
            return _resolved = connection!;
        }

        private protected long ResolveServerId(RunCloudConnection connection, long? serverId)
        {
            long? id = serverId ?? connection.ServerId;
            if (!id.HasValue)
            {
                ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.MissingServerId,
                    "No server id: pass -ServerId, or give Connect-RunCloud a default with -ServerId (or WU_RUNCLOUD_SERVER_ID). Get-RunCloudServer lists your servers.", null));
            }

            return id!.Value;
        }

        /// <summary>
        /// The web app id: the given one, else the connection's default, which belongs to the connection's default
        /// server; with another server (e.g. a piped server object) that default would name a pair that does not exist,
        /// so it is an error before any request.
        /// </summary>
        private protected long ResolveWebAppId(RunCloudConnection connection, long? webAppId, long serverId)
        {
            if (!webAppId.HasValue && connection.WebAppId.HasValue && connection.ServerId.HasValue && connection.ServerId.Value != serverId)
            {
                ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.MissingWebAppId,
                    $"No web app id for server {serverId}: the connection's default web app {connection.WebAppId} is on server {connection.ServerId}, not {serverId}, so it was not used and nothing was sent. "
                    + $"Pass -WebAppId for a web app on server {serverId} (Get-RunCloudWebApp -ServerId {serverId} lists them), or pipe web app objects instead of server objects.", serverId));
            }

            return ResolveWebAppId(connection, webAppId);
        }

        private protected long ResolveWebAppId(RunCloudConnection connection, long? webAppId)
        {
            long? id = webAppId ?? connection.WebAppId;
            if (!id.HasValue)
            {
                ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.MissingWebAppId,
                    "No web app id: pass -WebAppId, or give Connect-RunCloud a default with -WebAppId (or WU_RUNCLOUD_APP_ID). Get-RunCloudWebApp lists the server's web apps.", null));
            }

            return id!.Value;
        }

        /// <summary>
        /// One domain of a web app by id (-Id), or null after writing why: not there (<c>RunCloudDomainNotFound</c>,
        /// "nothing was <paramref name="done"/>") or the failed call.
        /// </summary>
        private protected RunCloudDomain? DomainById(RunCloudService service, long serverId, long webAppId, long id, string done)
        {
            try
            {
                return Run(ct => service.GetDomainAsync(serverId, webAppId, id, ct));
            }
            catch (RunCloudApiException ex) when (ex.StatusCode == 404)
            {
                WriteError(ErrorRecords.NotFound(ErrorIds.DomainNotFound, $"No domain with id {id} on web app {webAppId} (server {serverId}); nothing was {done}.", id));
            }
            catch (RunCloudApiException ex)
            {
                WriteError(ErrorRecords.FromApi(ex, id));
            }

            return null;
        }

        /// <summary>
        /// A command that works on ONE web app (Sync-RunCloudDomain, Get-RunCloudNetworkStatus) keeps the web app or server
        /// piped to it here; a second, different one stops the command: "<paramref name="command"/> <paramref name="what"/>, and
        /// A and B were both piped to it. <paramref name="instead"/>". The same app twice (same ids, same connection) is one target.
        /// </summary>
        private protected void BindOnePipedApp(ref IRunCloudObject? slot, IRunCloudObject item, string command, string what, string instead)
        {
            if (slot != null && !SameApp(slot, item))
            {
                ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput, $"{command} {what}, and {Describe(slot)} and {Describe(item)} were both piped to it. {instead}", item));
            }

            slot = item;
        }

        private static bool SameApp(IRunCloudObject a, IRunCloudObject b) =>
            ReferenceEquals((a as IConnectionBound)?.Connection, (b as IConnectionBound)?.Connection) && Ids(a) == Ids(b);

        private static (long Server, long? App) Ids(IRunCloudObject o) => o switch
        {
            RunCloudWebApp w => (w.ServerId, w.Id),
            RunCloudServer s => (s.Id, null),
            _ => (0, null),
        };

        /// <summary>
        /// The one web app a command works on: a piped web app (its connection, server and id; -ServerId/-WebAppId must agree),
        /// a piped server (its connection and id; the web app from <paramref name="webAppId"/> or the connection's default on
        /// that server), or the parameters and the connection's defaults. A contradiction stops the command before any request;
        /// <paramref name="tail"/> ends that message (" Nothing was changed.").
        /// </summary>
        private protected (RunCloudConnection Connection, long ServerId, long WebAppId) ResolveOneApp(IRunCloudObject? piped, long? serverId, long? webAppId, string tail)
        {
            switch (piped)
            {
                case RunCloudWebApp app:
                {
                    RunCloudConnection connection = ResolveConnectionFor(app, app);
                    if ((serverId.HasValue && serverId.Value != app.ServerId) || (webAppId.HasValue && webAppId.Value != app.Id))
                    {
                        ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput, $"The piped web app is {Describe(app)}, but -ServerId/-WebAppId name another. Pass one or the other.{tail}", app));
                    }

                    return (connection, app.ServerId, app.Id);
                }

                case RunCloudServer server:
                {
                    RunCloudConnection connection = ResolveConnectionFor(server, server);
                    if (serverId.HasValue && serverId.Value != server.Id)
                    {
                        ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput, $"The piped server is {Describe(server)}, but -ServerId is {serverId}. Pass one or the other.{tail}", server));
                    }

                    return (connection, server.Id, ResolveWebAppId(connection, webAppId, server.Id));
                }

                default:
                {
                    RunCloudConnection connection = ResolveConnection();
                    long resolvedServer = ResolveServerId(connection, serverId);
                    return (connection, resolvedServer, ResolveWebAppId(connection, webAppId, resolvedServer));
                }
            }
        }

        /// <summary>
        /// Domain objects piped as NAMES belong to their own account: one read through another connection than the target's
        /// stops the command (<c>RunCloudConnectionMismatch</c>); names meant for another account are passed as strings.
        /// </summary>
        private protected void RefuseForeignDomains(IEnumerable<RunCloudDomain> piped, RunCloudConnection target, string targetWords, string why)
        {
            RunCloudDomain? foreign = piped.FirstOrDefault(d => d.Connection != null && !ReferenceEquals(d.Connection, target));
            if (foreign != null)
            {
                ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.ConnectionMismatch,
                    $"The piped domain {foreign.Name} was read through the connection {foreign.Connection}, but {targetWords} is on {target}. {why}", foreign));
            }
        }

        /// <summary>For a bad invocation (wrong credentials, unknown server/app): the API error stops the command.</summary>
        private protected void ThrowApiError(RunCloudApiException ex, object? target) => ThrowTerminatingError(ErrorRecords.FromApi(ex, target));
    }
}
