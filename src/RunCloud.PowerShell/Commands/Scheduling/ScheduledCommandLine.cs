using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace RunCloud.PowerShell.Commands.Scheduling
{
    /// <summary>
    /// The process a scheduler starts: PowerShell, with -NoProfile -NonInteractive -Command and a script that imports this
    /// module from a fixed folder, runs Invoke-RunCloudScheduledSync with the task's parameters and exits with its exit
    /// code; a failure before the cmdlet runs (the module cannot be imported, a parameter cannot be bound) exits 1, the
    /// configuration code, with the reason on standard error. The module is imported by the folder that holds its version
    /// folders, so an update (Install-PSResource, a newer version beside the old) is picked up without registering again.
    /// </summary>
    internal sealed class ScheduledCommandLine
    {
        private ScheduledCommandLine(string executable, IReadOnlyList<string> arguments, string script)
        {
            Executable = executable;
            Arguments = arguments;
            Script = script;
        }

        /// <summary>The program the scheduler starts: pwsh (or powershell.exe), or the dotnet host that runs pwsh.dll.</summary>
        public string Executable { get; }

        /// <summary>Its arguments, one string each, the -Command script last.</summary>
        public IReadOnlyList<string> Arguments { get; }

        /// <summary>The PowerShell the -Command argument carries.</summary>
        public string Script { get; }

        /// <summary>Executable then arguments.</summary>
        public IEnumerable<string> Argv => new[] { Executable }.Concat(Arguments);

        /// <param name="pwsh">The PowerShell command: [pwsh] or [dotnet, pwsh.dll].</param>
        /// <param name="modulePath">The folder Import-Module is given.</param>
        /// <param name="parameters">Invoke-RunCloudScheduledSync's parameters, in order: a string, string[], number or true (a switch).</param>
        public static ScheduledCommandLine Build(IReadOnlyList<string> pwsh, string modulePath, IEnumerable<KeyValuePair<string, object>> parameters)
        {
            var call = new StringBuilder("Invoke-RunCloudScheduledSync");
            foreach (KeyValuePair<string, object> p in parameters)
            {
                call.Append(" -").Append(p.Key);
                switch (p.Value)
                {
                    case bool b when b:
                        break;
                    case string s:
                        call.Append(' ').Append(Quoting.PowerShell(s));
                        break;
                    case IEnumerable<string> list:
                        call.Append(' ').Append(list.Any() ? string.Join(",", list.Select(Quoting.PowerShell)) : "@()");
                        break;
                    case IFormattable number:
                        call.Append(' ').Append(number.ToString(null, CultureInfo.InvariantCulture));
                        break;
                    default:
                        throw new ArgumentException($"Parameter -{p.Key} has a value that cannot be written into a scheduled command.");
                }
            }

            // Plain text for the journal, cron's mail and Task Scheduler's history (no ANSI colours); the result object
            // is dropped, its log lines (the information stream) and any error are what a scheduler keeps.
            string script = "$ProgressPreference = 'SilentlyContinue'; if ($PSStyle) { $PSStyle.OutputRendering = 'PlainText' }; "
                + $"try {{ Import-Module {Quoting.PowerShell(modulePath)} -ErrorAction Stop; {call} -InformationAction Continue | Out-Null; exit $LASTEXITCODE }} "
                + "catch { [Console]::Error.WriteLine('Invoke-RunCloudScheduledSync could not run: ' + $_); exit 1 }";
            var arguments = new List<string>(pwsh.Skip(1)) { "-NoProfile", "-NonInteractive", "-Command", script };
            return new ScheduledCommandLine(pwsh[0], arguments, script);
        }
    }
}
