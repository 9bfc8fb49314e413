using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using RunCloud.PowerShell.Sources;

namespace RunCloud.PowerShell.Commands
{
    /// <summary>
    /// Reads a manifest file as the fleet cmdlets do: a .psd1 through Import-PowerShellDataFile (parsed, never run), any
    /// other file as JSON. Throws the <see cref="ManifestException"/> the parser raised, or PowerShell's
    /// <see cref="RuntimeException"/> for a .psd1 that is not a data file.
    /// </summary>
    internal static class ManifestFile
    {
        public static FleetManifest Read(PSCmdlet cmdlet, string path, string shownAs)
        {
            if (path.EndsWith(".psd1", StringComparison.OrdinalIgnoreCase))
            {
                var data = cmdlet.InvokeCommand.InvokeScript(false, ScriptBlock.Create("param($p) Import-PowerShellDataFile -LiteralPath $p -ErrorAction Stop"), null, path);
                return FleetManifest.ParseData(data.FirstOrDefault(), shownAs);
            }

            return FleetManifest.ParseJson(File.ReadAllText(path), shownAs);
        }
    }
}
