using System;
using System.IO;
using System.Reflection;

namespace RunCloud.PowerShell.Loader
{
    /// <summary>
    /// The Windows PowerShell half of the dependency isolation. A module ships its engine and its third-party assemblies
    /// in bin/, not beside its manifest, so the runtime does not find them by itself. On .NET Framework there are no load
    /// contexts; an AssemblyResolve handler hands out the engine when the cmdlets ask for it, and bin/'s copy of a
    /// dependency when exactly that assembly (name and version) is asked for, loaded with LoadFrom so it lives beside any
    /// other version another module loaded.
    /// </summary>
    internal sealed class BinFolderResolver
    {
        private readonly object _gate = new object();
        private readonly string _engineName;
        private bool _installed;

        /// <param name="directory">bin/: the engine and its dependencies.</param>
        /// <param name="engineName">The module's engine (RunCloud.PowerShell), handed out to whoever asks for it by name.</param>
        public BinFolderResolver(string directory, string engineName)
        {
            Directory = directory;
            _engineName = engineName;
        }

        /// <summary>bin/.</summary>
        public string Directory { get; }

        /// <summary>Installs the handler, once.</summary>
        public void Install()
        {
            lock (_gate)
            {
                if (_installed) return;
                AppDomain.CurrentDomain.AssemblyResolve += Resolve;
                _installed = true;
            }
        }

        private Assembly? Resolve(object? sender, ResolveEventArgs args)
        {
            var wanted = new AssemblyName(args.Name);
            if (string.Equals(wanted.Name, _engineName, StringComparison.OrdinalIgnoreCase))
            {
                // The cmdlets ask for the engine of their own build: this module's copy.
                string engine = Path.Combine(Directory, _engineName + ".dll");
                return File.Exists(engine) ? Assembly.LoadFrom(engine) : null;
            }

            return Find(wanted, Directory, IsOurs(args.RequestingAssembly));
        }

        /// <summary>The engine or one of bin/'s: a request from it may take a higher version, as a binding redirect would.</summary>
        private bool IsOurs(Assembly? requester)
        {
            if (requester == null || requester.IsDynamic) return false;
            string? folder = Path.GetDirectoryName(requester.Location);
            return folder != null && string.Equals(folder.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar),
                Directory.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar), StringComparison.OrdinalIgnoreCase);
        }

        /// <summary>
        /// The assembly of that name in <paramref name="directory"/> when its version is the one asked for (or none was);
        /// when <paramref name="fromOurs"/> (the engine or one of its own dependencies asks), also a higher version: bin/'s
        /// dependencies were built against slightly different versions of one another (the database client wants
        /// System.Buffers 4.0.2.0, bin/ holds 4.0.3.0), which an application's binding redirects would unify. Else null.
        /// </summary>
        public static Assembly? Find(AssemblyName wanted, string directory, bool fromOurs = false)
        {
            string path = Path.Combine(directory, wanted.Name + ".dll");
            if (!File.Exists(path)) return null;
            AssemblyName found = AssemblyName.GetAssemblyName(path);
            if (wanted.Version != null && found.Version != wanted.Version && !(fromOurs && found.Version != null && found.Version > wanted.Version)) return null;
            return Assembly.LoadFrom(path);
        }
    }
}
