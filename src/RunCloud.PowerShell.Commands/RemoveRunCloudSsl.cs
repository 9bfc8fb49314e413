using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using RunCloud.PowerShell.Api;
using RunCloud.PowerShell.Commands.Completion;
using RunCloud.PowerShell.Http;
using RunCloud.PowerShell.Models;
using RunCloud.PowerShell.Session;
using RunCloud.PowerShell.State;
using RunCloud.PowerShell.Sync;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// Uninstalls a certificate on its own: the web app's (basic SSL, DELETE .../ssl/{id}) or one domain's (advanced SSL,
    /// DELETE .../domains/{d}/ssl/{ssl}), by ids, by domain name, or piped from Get-RunCloudSsl, Get-RunCloudWebApp or
    /// Get-RunCloudDomain. Asks first (ConfirmImpact High; -Force skips the prompt); -WhatIf sends GETs only. The app's
    /// journal is told, so no later run (Sync-RunCloudDomain, -ResetSsl) orders the removed certificate again. A
    /// certificate that another client removed a moment earlier is not an error.
    /// </summary>
    [Cmdlet(VerbsCommon.Remove, "RunCloudSsl", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, HelpUri = HelpUris.Base + "Remove-RunCloudSsl.md")]
    [OutputType(typeof(void))]
    public sealed class RemoveRunCloudSslCommand : RunCloudWebAppCmdlet
    {
        private const string Command = "Remove-RunCloudSsl";

        /// <summary>Advanced SSL mode: only these domains' certificates (wildcards allowed); default every domain's. An exact name that is not there is an error.</summary>
        [Parameter(Position = 0)]
        [Alias("Domain")]
        [SupportsWildcards]
        [ArgumentCompleter(typeof(DomainNameCompleter))]
        [ValidateNotNullOrEmpty]
        public string[]? Name { get; set; }

        /// <summary>Removes without asking.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        private protected override void ProcessWebApp(RunCloudConnection connection, RunCloudService service, long serverId, long webAppId)
        {
            string app = $"web app {webAppId} on server {serverId}";
            var removal = new SslRemovalRequest(Name, PipelineObject as RunCloudSsl, PipelineObject as RunCloudDomain);
            var options = new AppRunOptions { Command = Command, WhatIf = IsWhatIf() };
            var target = new AppTarget(service, StateKeys.For(connection, serverId, webAppId), connection.BaseUri.AbsoluteUri, serverId, webAppId, connection.Name);
            var host = new CmdletApplyHost(this, step => ShouldProcessOrForce(Force, step.Target, step.Action));
            try
            {
                // Through the apply engine: the app's lock and journal, every certificate a step to confirm, the journal
                // told after each removal (so no later run orders it again).
                AppApply.Run(this, target, AppRequest.ForSslRemoval(removal, options), host,
                    p =>
                    {
                        foreach (AppFailure problem in p.Problems) WriteError(ErrorRecords.FromFailure(problem));
                        return p.Steps.Count > 0;
                    },
                    (p, outcome) =>
                    {
                        foreach (AppFailure failure in outcome.Failures) WriteError(ErrorRecords.FromFailure(failure));
                    });
            }
            catch (RunCloudApiException ex)
            {
                WriteError(ErrorRecords.FromApi(ex, app));
            }
            catch (StateException ex)
            {
                WriteError(ErrorRecords.FromState(ex, app));
            }
        }
    }
}
