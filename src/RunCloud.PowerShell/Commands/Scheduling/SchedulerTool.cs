using System;
using System.Collections.ObjectModel;
using System.Linq;
using System.Management.Automation;

namespace RunCloud.PowerShell.Commands.Scheduling
{
    /// <summary>
    /// Runs a scheduler's tool (systemctl, crontab) by name through PowerShell, so the command a user would type is the one
    /// run (and a test can stand in a function of that name): its exit code and its output lines, standard error included.
    /// A tool that cannot be found or started throws the RuntimeException PowerShell raised.
    /// </summary>
    internal static class SchedulerTool
    {
        private const string Script =
            "param($c, $a, $i) $global:LASTEXITCODE = 0; $o = if ($null -ne $i) { $i | & $c @a 2>&1 } else { & $c @a 2>&1 }; "
            + "[pscustomobject]@{ Code = [int]$global:LASTEXITCODE; Output = [object[]]@($o | ForEach-Object { \"$_\" }) }";

        public static (int Code, string[] Output) Run(PSCmdlet cmdlet, string name, string[] arguments, string? input)
        {
            Collection<PSObject> reply = cmdlet.InvokeCommand.InvokeScript(false, ScriptBlock.Create(Script), null, name, arguments, input);
            PSObject? r = reply.FirstOrDefault();
            int code = r?.Properties["Code"]?.Value is int c ? c : 0;
            string[] lines = (r?.Properties["Output"]?.Value as object[] ?? Array.Empty<object>()).Select(o => o?.ToString() ?? string.Empty).ToArray();
            return (code, lines);
        }
    }
}
