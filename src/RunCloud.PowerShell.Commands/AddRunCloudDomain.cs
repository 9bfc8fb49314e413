using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Input;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Session;
using RunCloud.PowerShell.Ssl;
using RunCloud.PowerShell.State;
using RunCloud.PowerShell.Sync;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// Adds domain names to a web application. Each name is checked and normalised before any call; a name already
    /// on the app is a warning, not an error. With -ResetSsl the names of each app go through the apply engine after
    /// the whole pipeline: journalled first, checked against the SSL strategy before any add (a change whose certificate
    /// would certainly be refused is refused up front), added, and the certificate follows once.
    /// </summary>
    [Cmdlet(VerbsCommon.Add, "RunCloudDomain", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpUris.Base + "Add-RunCloudDomain.md")]
    [OutputType(typeof(RunCloudDomain))]
    public sealed class AddRunCloudDomainCommand : RunCloudWebAppCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Domain", "DomainName", "HostName")]
        [AllowEmptyString]
        public string[] Name { get; set; } = Array.Empty<string>();

        /// <summary>
        /// Serve www.&lt;name&gt; too. Ignored (with a warning) for a name that already starts with www. Binds from a
        /// Www column of Import-Csv (true/false, 1/0, yes/no), as -Redirection and -Type bind from theirs.
        /// </summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [YesNoTransformation]
        public SwitchParameter Www { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [EmptyAsDefault("none")]
        [ValidateSet("none", "www", "non-www", IgnoreCase = true)]
        public string Redirection { get; set; } = "none";

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [EmptyAsDefault("alias", Foreign = new[] { "custom", "wordpress" })]
        [ValidateSet("alias", "primary", "redirect", IgnoreCase = true)]
        public string Type { get; set; } = "alias";

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <summary>After all names are processed, redeploy the web app's SSL certificate once if anything was added.</summary>
        [Parameter]
        public SwitchParameter ResetSsl { get; set; }

        private const string Command = "Add-RunCloudDomain";

        /// <summary>
        /// Top-level domains to accept besides those of the public suffix list (a private network's lan or internal).
        /// Without it a name with any other last label is refused (a name cut short or mistyped).
        /// </summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? AllowTld { get; set; }

        private HashSet<string>? _allowTld;

        /// <summary>Request certificates without checking that the names point at the server (split-horizon DNS, proxies). Also RUNCLOUD_SKIP_DNS_CHECK=1.</summary>
        [Parameter]
        public SwitchParameter SkipDnsCheck { get; set; }

        /// <summary>DNS servers (address or address:port) to ask whether the names point at the server, instead of the system's resolver.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? DnsServer { get; set; }

        /// <summary>Order a certificate even past Let's Encrypt's 5 duplicates (same names) in 7 days.</summary>
        [Parameter]
        public SwitchParameter AllowDuplicateCertificate { get; set; }

        private protected override string? CannotTake(IRunCloudObject piped) => NeedsNames(piped);

        /// <summary>-ResetSsl: each web app's names, gathered over the whole pipeline; one apply per app at the end.</summary>
        private readonly AppBatch<DomainRequest> _batch = new AppBatch<DomainRequest>();

        private protected override void ProcessWebApp(RunCloudConnection connection, RunCloudService service, long serverId, long webAppId)
        {
            foreach (string raw in Name)
            {
                if (!DomainName.TryNormalize(raw, out string name, out string problem))
                {
                    WriteError(ErrorRecords.Invalid(ErrorIds.InvalidDomainName, problem, raw));
                    continue;
                }

                // A name whose top-level domain does not exist is never added: it was cut short or mistyped.
                string? unknownTld = DomainName.TopLevelDomainProblem(name, _allowTld);
                if (unknownTld != null)
                {
                    WriteError(ErrorRecords.Invalid(ErrorIds.InvalidDomainName, unknownTld, raw));
                    continue;
                }

                bool www = Www.IsPresent;
                if (www && name.StartsWith("www.", StringComparison.Ordinal))
                {
                    WriteWarning($"{name} already starts with www., so -Www is ignored for it (no www.www. name is requested).");
                    www = false;
                }

                var request = new DomainRequest { Name = name, Www = www, Redirection = Redirection.ToLowerInvariant(), Type = Type.ToLowerInvariant() };
                if (ResetSsl)
                {
                    // The certificate follows once per app, after the whole pipeline: the apply engine adds and redeploys.
                    _batch.For(connection, serverId, webAppId).Add(request);
                    continue;
                }

                if (!Ask($"{name} on web app {webAppId} (server {serverId})", "Add domain")) continue;
                try
                {
                    var (observed, domain) = Run(ct => DomainChanges.AddAsync(service, serverId, webAppId, request, lookUpExisting: PassThru, ct));
                    switch (observed)
                    {
                        case AddObserved.AlreadyHere:
                            WriteWarning($"{name} is already on web app {webAppId}; nothing was added.");
                            break;
                        case AddObserved.Taken:
                            WriteWarning($"RunCloud says {name} already exists (on web app {webAppId}, or on another web app of server {serverId}); nothing was added.");
                            break;
                        case AddObserved.TakenElsewhere:
                            WriteError(ErrorRecords.FromFailure(new AppFailure(DomainChanges.TakenElsewhere(name, $"web app {webAppId} (server {serverId})"), null, name)));
                            break;
                        default:
                            WriteVerbose($"RunCloud: added {name} to web app {webAppId}" + (observed == AddObserved.Recovered ? " (confirmed after an ambiguous failure)." : "."));
                            NoteChangedOutsideSync(connection, serverId, webAppId);
                            break;
                    }

                    if (PassThru && domain != null) WriteObject(domain);
                }
                catch (RunCloudApiException ex)
                {
                    WriteError(ErrorRecords.FromApi(ex, name));
                }
            }
        }

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            try
            {
                _allowTld = DomainName.ParseTlds(AllowTld, "-AllowTld");
            }
            catch (ArgumentException ex)
            {
                ThrowTerminatingError(ErrorRecords.Invalid(ErrorIds.InvalidInput, ex.Message + " Nothing was changed.", AllowTld));
            }
        }

        /// <summary>-ResetSsl: per web app, the names through the apply engine (journal first, adds, then the SSL strategy with all its checks).</summary>
        protected override void EndProcessing()
        {
            if (!ResetSsl) return;
            SslOptions ssl = SslParameters.BuildOrStop(this, SkipDnsCheck, DnsServer, AllowDuplicateCertificate);

            bool whatIf = IsWhatIf();
            var host = new CmdletApplyHost(this, step => Ask(step.Target, step.Action) || whatIf);
            AppApply.RunBatch(this, _batch, names => AppRequest.ForEnsure(names, new AppRunOptions { Command = Command, Ssl = ssl.Clone(), WhatIf = whatIf }), host, whatIf,
                (app, p, outcome) =>
                {
                    if (PassThru) WriteDomains(app.Items, outcome, p);
                });
        }

        /// <summary>-PassThru: each name's domain object, in the order given (added, or found already on the app).</summary>
        private void WriteDomains(IEnumerable<DomainRequest> asked, AppOutcome outcome, PreparedApply p)
        {
            foreach (DomainRequest r in asked)
            {
                RunCloudDomain? d = outcome.AddedDomains.FirstOrDefault(x => string.Equals(x.Name, r.Name, StringComparison.OrdinalIgnoreCase))
                    ?? p.AlreadyThere.FirstOrDefault(x => string.Equals(x.Name, r.Name, StringComparison.OrdinalIgnoreCase));
                if (d != null) WriteObject(d);
            }
        }
    }
}
