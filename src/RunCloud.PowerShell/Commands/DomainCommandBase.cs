using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using RunCloud.PowerShell.Client;
using RunCloud.PowerShell.Models;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// Shared by Add- and Remove-RunCloudDomain: -ResetSsl redeploys each touched web app's certificate ONCE, after
    /// the whole pipeline, and only for apps where a domain really changed.
    /// </summary>
    public abstract class DomainChangeCmdlet : RunCloudApiCmdlet
    {
        private readonly Dictionary<(long, long), List<RunCloudDomain>> _changed = new Dictionary<(long, long), List<RunCloudDomain>>();
        private RunCloudConnection? _connection;

        /// <summary>After all names are processed, redeploy the web app's SSL certificate once if anything changed.</summary>
        [Parameter]
        public SwitchParameter ResetSsl { get; set; }

        private protected void RecordChange(RunCloudConnection connection, long serverId, long webAppId, RunCloudDomain? domain)
        {
            _connection = connection;
            if (!_changed.TryGetValue((serverId, webAppId), out List<RunCloudDomain>? list))
            {
                _changed[(serverId, webAppId)] = list = new List<RunCloudDomain>();
            }

            if (domain != null) list.Add(domain);
        }

        protected override void EndProcessing()
        {
            if (!ResetSsl || _connection == null) return;
            var service = new RunCloudService(_connection);
            foreach (KeyValuePair<(long Server, long App), List<RunCloudDomain>> app in _changed)
            {
                string target = $"web app {app.Key.App} on server {app.Key.Server}";
                if (!Confirmed(ForceRequested, target, "Redeploy the SSL certificate")) continue;
                try
                {
                    RedeployOutcome outcome = Run(ct => SslRedeployer.RedeployAsync(service, app.Key.Server, app.Key.App, app.Value, ct));
                    if (outcome == RedeployOutcome.NoSsl)
                    {
                        WriteWarning($"The {target} has no SSL certificate, so none was redeployed. Install one with Reset-RunCloudSsl -ServerId {app.Key.Server} -WebAppId {app.Key.App}.");
                    }
                    else
                    {
                        WriteVerbose($"RunCloud: SSL of the {target} redeployed ({outcome}).");
                    }
                }
                catch (RunCloudApiException ex)
                {
                    WriteApiError(ex, target);
                }
            }
        }

        /// <summary>True when the derived cmdlet was given -Force.</summary>
        private protected virtual bool ForceRequested => false;

        /// <summary>-Force skips the confirmation prompt but never -WhatIf, and an explicit -Confirm still asks.</summary>
        private protected bool Confirmed(bool force, string target, string action)
        {
            bool confirmAsked = MyInvocation.BoundParameters.TryGetValue("Confirm", out object? c) && c is SwitchParameter sp && sp.IsPresent;
            bool whatIf = MyInvocation.BoundParameters.TryGetValue("WhatIf", out object? w) ? w is SwitchParameter ws && ws.IsPresent
                : SessionState.PSVariable.GetValue("WhatIfPreference") is SwitchParameter wp ? wp.IsPresent
                : SessionState.PSVariable.GetValue("WhatIfPreference") is bool wb && wb;
            if (force && !confirmAsked && !whatIf) return true;
            return ShouldProcess(target, action);
        }
    }
}
