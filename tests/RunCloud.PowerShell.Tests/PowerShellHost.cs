using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using RunCloud.PowerShell.Commands;

namespace RunCloud.PowerShell.Tests
{
    /// <summary>Hosts PowerShell in-process with the module's assembly imported, to test cmdlet binding and output.</summary>
    internal sealed class PowerShellHost : System.IDisposable
    {
        private readonly Runspace _runspace;

        public PowerShellHost()
        {
            TestStateFolder.EnsureSet();
            InitialSessionState state = InitialSessionState.CreateDefault2();
            // The cmdlets (the root module) and the engine (whose types scripts name), as the built module has PowerShell load them.
            state.ImportPSModule(new[] { typeof(RunCloud.PowerShell.Commands.SyncRunCloudDomainCommand).Assembly.Location, typeof(RunCloudCmdlet).Assembly.Location });
            _runspace = RunspaceFactory.CreateRunspace(state);
            _runspace.Open();
        }

        public Collection<PSObject> Invoke(string script, out IReadOnlyList<ErrorRecord> errors, IDictionary<string, object>? variables = null)
        {
            using var ps = System.Management.Automation.PowerShell.Create();
            ps.Runspace = _runspace;
            if (variables != null)
            {
                foreach (var kv in variables) _runspace.SessionStateProxy.SetVariable(kv.Key, kv.Value);
            }

            ps.AddScript(script);
            Collection<PSObject> output = ps.Invoke();
            errors = new List<ErrorRecord>(ps.Streams.Error);
            return output;
        }

        /// <summary>For a test that drives its own PowerShell instance (BeginInvoke, streams as they come).</summary>
        public Runspace Runspace => _runspace;

        public void Dispose() => _runspace.Dispose();
    }
}
