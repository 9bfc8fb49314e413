using System;
using System.IO;
using System.Management.Automation;
using System.Runtime.InteropServices;

namespace RunCloud.PowerShell.Loader
{
    /// <summary>
    /// How the module loads with its dependencies kept apart from the session's, through PowerShell's public module
    /// loading only (no script on import, no reflection into PowerShell). The manifest lists this assembly as its first
    /// nested module and the cmdlets (&lt;engine&gt;.Commands.dll, beside the manifest) after it: as its last nested module
    /// (RunCloud.PowerShell, whose import is a scheduled run's cost: see its manifest) or as its root module (the
    /// emulator). PowerShell imports nested modules in order and before the root, so this initializer has run when
    /// PowerShell imports the cmdlets and, through their references, the engine (&lt;engine&gt;.dll), which is in bin/ where
    /// the runtime does not look:
    /// <list type="bullet">
    /// <item>PowerShell 7: a handler on the default context's Resolving event answers the request for the engine with
    /// the engine loaded into the module's own <see cref="ModuleLoadContext"/>, which resolves bin/ first. The engine,
    /// Newtonsoft.Json and the database client therefore never meet the session's copies; the cmdlets (which name nothing
    /// but the engine and PowerShell) live in the default context, where PowerShell exports them as for any binary module,
    /// on every import and re-import.</item>
    /// <item>Windows PowerShell 5.1: an AppDomain.AssemblyResolve handler (<see cref="BinFolderResolver"/>) hands out the
    /// engine and bin/'s dependencies.</item>
    /// </list>
    /// Each module and release carries its own copy, named after the engine it serves and the release
    /// (RunCloud.PowerShell.Loader.0.1.0 serves RunCloud.PowerShell from the folder it sits in), so copies never share a
    /// name. A process holds one release of a module: the cmdlets' assembly, once loaded, cannot be replaced. A second
    /// release is refused here, before PowerShell would fail on it, with the fix.
    /// </summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer
    {
        private const string Marker = ".Loader";
        private static readonly object s_gate = new object();
        private static BinFolderResolver? s_framework;

        /// <summary>bin/: where this assembly, the engine and its dependencies are.</summary>
        internal static string Folder => Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location) ?? string.Empty;

        /// <summary>The engine this copy serves: its own name up to ".Loader".</summary>
        internal static string EngineName => EngineNameOf(typeof(ModuleInitializer).Assembly.GetName().Name ?? string.Empty);

        /// <summary>
        /// "RunCloud.PowerShell" for a loader named "RunCloud.PowerShell.Loader" or, as build.ps1 names each release's copy,
        /// "RunCloud.PowerShell.Loader.0.1.0".
        /// </summary>
        internal static string EngineNameOf(string loaderName)
        {
            int at = loaderName.LastIndexOf(Marker, StringComparison.OrdinalIgnoreCase);
            bool named = at > 0 && (at + Marker.Length == loaderName.Length || loaderName[at + Marker.Length] == '.');
            return named
                ? loaderName.Substring(0, at)
                : throw new InvalidOperationException($"The module loader is named '{loaderName}': build.ps1 names each module's copy <engine>{Marker}.<version>, which says which assembly it loads. Rebuild the module.");
        }

        /// <summary>PowerShell 7 (.NET, load contexts) rather than Windows PowerShell (.NET Framework) or Mono.</summary>
        internal static bool HasLoadContexts
        {
            get
            {
                string runtime = RuntimeInformation.FrameworkDescription;
                return !runtime.StartsWith(".NET Framework", StringComparison.Ordinal) && !runtime.StartsWith("Mono", StringComparison.Ordinal);
            }
        }

        public void OnImport()
        {
            string engine = EngineName;
            string folder = Folder;
            string? loaded = LoadedReleases.Claim(engine, folder);
            if (loaded != null)
            {
                throw new InvalidOperationException(
                    $"{ModuleNameOf(engine)} is already loaded in this process from '{Path.GetDirectoryName(loaded)}', another copy than the one in " +
                    $"'{Path.GetDirectoryName(folder)}'; a process holds one copy of a binary module's assemblies, even after Remove-Module. " +
                    "Start a new PowerShell session to use this one.");
            }

            if (HasLoadContexts)
            {
                DefaultContextHook.Install(folder, engine);
                // The cmdlets' assembly sits beside the manifest, one folder up: <engine>.Commands.dll (loaded already when
                // it is the root module: PowerShell 7 loads a root module's assembly before the nested modules).
                StartupProfile.Start(engine, Path.Combine(Path.GetDirectoryName(folder) ?? folder, engine + ".Commands.dll"));
            }
            else
            {
                lock (s_gate)
                {
                    s_framework ??= new BinFolderResolver(folder, engine);
                    s_framework.Install();
                }
            }
        }

        /// <summary>The module an engine belongs to, as users name it (the emulator's engine is RunCloud.Emulator).</summary>
        internal static string ModuleNameOf(string engineName) =>
            string.Equals(engineName, "RunCloud.Emulator", StringComparison.OrdinalIgnoreCase) ? "RunCloud.PowerShell.Emulator" : engineName;
    }
}
